import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const hasCurl = spawnSync("curl", ["--version"], { stdio: "ignore" }).status === 0;

/** The README's ways of trusting the development CA, run as written. */
describe("trusting the development CA from other programs", () => {
  let server: RunningServer;
  let data: string;
  let ca: string;
  let metadata: string;
  before(async () => {
    data = tempDir("portcullis-trust-");
    server = await startServer(loadConfig({ dataDir: data, port: await freePort(), adminPassword, https: true }), { logger: false, print: () => {} });
    ca = path.join(data, "tls", "ca.pem");
    metadata = `${server.url}/.well-known/oauth-authorization-server`;
  });
  after(async () => {
    await server.close();
    fs.rmSync(data, { recursive: true, force: true });
  });

  const fetchScript = (url: string) => `fetch(${JSON.stringify(url)}).then(async (r) => console.log((await r.json()).issuer), (e) => { console.log(e.cause?.code); process.exit(1); })`;

  test("Node with NODE_EXTRA_CA_CERTS, and without it refused", async () => {
    const trusted = await run(process.execPath, ["-e", fetchScript(metadata)], { ...process.env, NODE_EXTRA_CA_CERTS: ca });
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    assert.equal(trusted.stdout.trim(), server.url);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const untrusted = await run(process.execPath, ["-e", fetchScript(metadata)], env);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
  });

  test("curl --cacert, and without it refused", { skip: hasCurl ? false : "curl is not installed" }, async () => {
    const trusted = await run("curl", ["-sS", "--cacert", ca, metadata], process.env);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(JSON.parse(trusted.stdout).issuer, server.url);
    const env = { ...process.env };
    delete env.CURL_CA_BUNDLE;
    delete env.SSL_CERT_FILE;
    const untrusted = await run("curl", ["-sS", metadata], env);
    assert.equal(untrusted.code, 60, "curl's 'peer certificate cannot be authenticated'");
  });
});
