import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { adminPassword } from "../support/instance.ts";
import { type NodeProcess, startNodeProcess } from "../support/node-process.ts";
import { tempDir } from "../support/stores.ts";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C" });
  return { code, stdout, stderr };
}

describe("user list shows an account locked out by failed sign-ins", () => {
  const data = tempDir();
  let node: NodeProcess;
  let client: { client_id: string; client_secret: string };
  before(async () => {
    node = await startNodeProcess({ dataDir: data, env: { PORTCULLIS_LOCKOUT_ATTEMPTS: "2" } });
    const created = await cli(["client", "create", "--data", data, "--name", "Password client", "--grant-types", "password", "--json"]);
    assert.equal(created.code, 0, created.stderr);
    client = JSON.parse(created.stdout);
    assert.equal((await cli(["user", "create", "locked.out", "--data", data])).code, 0);
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    fs.rmSync(data, { recursive: true, force: true });
  });

  test("after the failed password grants that lock it, the Active column says until when, in English and Korean; set-password clears it", async () => {
    const listedBefore = await cli(["user", "list", "--data", data]);
    assert.match(listedBefore.stdout, /\nlocked\.out\s+locked\.out\s+yes\s*\n/);
    for (let attempt = 0; attempt < 2; attempt++) {
      const body = new URLSearchParams({ grant_type: "password", username: "locked.out", password: "not the password", client_id: client.client_id, client_secret: client.client_secret });
      const answer = await fetch(`${node.base}/oauth_token.do`, { method: "POST", body });
      assert.deepEqual([answer.status, ((await answer.json()) as { error: string }).error], [400, "invalid_grant"]);
    }
    const listed = await cli(["user", "list", "--data", data]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\nlocked\.out\s+locked\.out\s+yes \(locked until \w{3} \d{1,2}, \d{4}, \d{2}:\d{2}:\d{2} UTC\)\s*\n/);
    assert.match(listed.stdout, /\nadmin\s+System Administrator\s+yes\s+admin\n/, "an account not locked says so by saying nothing more");
    const korean = await cli(["user", "list", "--data", data, "--lang", "ko"]);
    assert.match(korean.stdout, /\nlocked\.out\s+locked\.out\s+예 \(\d{4}\. \d{1,2}\. \d{1,2}\. \d{1,2}:\d{2}:\d{2} UTC까지 잠김\)\s*\n/);

    assert.equal((await cli(["user", "set-password", "locked.out", "--data", data])).code, 0);
    assert.match((await cli(["user", "list", "--data", data])).stdout, /\nlocked\.out\s+locked\.out\s+yes\s*\n/);
  });
});
