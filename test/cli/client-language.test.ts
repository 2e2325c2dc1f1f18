import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import stringWidth from "string-width";
import { tempDir } from "../support/stores.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

/** Runs the CLI in its own process with the given locale environment. */
function cli(args: string[], localeEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: "an admin password", ...localeEnv };
    delete env.DATABASE_URL;
    if (!("LC_ALL" in localeEnv)) delete env.LC_ALL;
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end("");
  });
}

describe("portcullis client in English and Korean", () => {
  const data = tempDir();
  after(() => fs.rmSync(data, { recursive: true, force: true }));
  const redirect = "https://prod-instance.service-now.com/oauth_redirect.do, https://dev-instance.service-now.com/oauth_redirect.do";

  test("client create: the record's field names stay the same, the notice is in the chosen language (--lang over LANG)", async () => {
    const english = await cli(["client", "create", "--data", data, "--name", "Pipeline Controller Client", "--redirect-url", redirect], { LANG: "en_US.UTF-8" });
    assert.equal(english.code, 0, english.stderr);
    assert.match(english.stdout, /^client_id\s+[0-9a-f]{32}$/m);
    assert.match(english.stdout, /^name\s+Pipeline Controller Client$/m);
    assert.match(english.stderr, /The client secret is shown only this once; it is stored as a hash\. Keep it now\./);
    assert.doesNotMatch(english.stderr, /[가-힣]/);

    const korean = await cli(["client", "create", "--lang", "ko", "--data", data, "--name", "Pipeline Development Client", "--redirect-url", redirect], { LANG: "en_US.UTF-8" });
    assert.equal(korean.code, 0, korean.stderr);
    assert.match(korean.stdout, /^client_id\s+[0-9a-f]{32}$/m, "field names do not change with the language");
    assert.match(korean.stdout, /^client_secret\s+\S{43,}$/m);
    assert.match(korean.stderr, /클라이언트 암호는 이번에 한 번만 표시되며 해시로 저장됩니다\. 지금 보관하세요\./);
    assert.doesNotMatch(korean.stderr, /shown only this once/);
  });

  test("client list: headings and values from the catalog, aligned by terminal columns; LC_ALL over LANG", async () => {
    const korean = await cli(["client", "list", "--data", data], { LC_ALL: "ko_KR.UTF-8", LANG: "en_US.UTF-8" });
    assert.equal(korean.code, 0, korean.stderr);
    const [heading, rule, first] = korean.stdout.split("\n");
    assert.match(heading!, /^이름\s+클라이언트 ID\s+활성\s+유형\s+권한 부여\s+리디렉션 URL$/);
    assert.match(first!, /^Pipeline Controller Client\s+[0-9a-f]{32}\s+예\s+기밀\s+authorization_code,refresh_token\s+https:/);
    // "이름" is four columns wide in a terminal: the rule under it is as wide as the longest name.
    assert.equal(rule!.split("  ")[0], "-".repeat("Pipeline Development Client".length));
    const idColumn = first!.search(/[0-9a-f]{32}/);
    assert.equal(stringWidth(heading!.slice(0, heading!.indexOf("클라이언트"))), idColumn, "columns line up in terminal cells, not in UTF-16 units");

    const english = await cli(["client", "list", "--data", data], { LANG: "en_US.UTF-8" });
    assert.match(english.stdout.split("\n")[0]!, /^NAME\s+CLIENT ID\s+ACTIVE\s+TYPE\s+GRANTS\s+REDIRECT URLS$/);
    assert.match(english.stdout, /\syes\s+confidential\s/);
  });

  test("errors come in the chosen language; a missing record still exits 3", async () => {
    const korean = await cli(["client", "show", "nothing-here", "--data", data, "--lang=ko"], {});
    assert.equal(korean.code, 3);
    assert.equal(korean.stderr.trim(), 'portcullis: OAuth 클라이언트 "nothing-here"이(가) 없습니다');
    const english = await cli(["client", "show", "nothing-here", "--data", data], { LANG: "C" });
    assert.equal(english.stderr.trim(), 'portcullis: no OAuth client "nothing-here"');
  });

  test("a --lang this CLI does not speak is a usage error (exit 2), not silently English", async () => {
    const unknown = await cli(["client", "list", "--data", data, "--lang", "xx"], { LANG: "C" });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /"xx" is not a language of this CLI: en or ko/);
    assert.equal((await cli(["client", "list", "--data", data, "--lang=ko-KR"], { LANG: "C" })).code, 0, "a regional tag of a language it speaks is fine");
  });
});
