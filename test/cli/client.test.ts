import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../support/stores.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would, in its own process, on the SQLite default. */
function cli(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: "an admin password" };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

describe("portcullis client … (the Application Registry from the command line)", () => {
  const data = tempDir();
  after(async () => {
    const fs = await import("node:fs");
    fs.rmSync(data, { recursive: true, force: true });
  });

  let clientId = "";
  let secret = "";

  test("create prints the record with a 32-hex client_id and a secret shown once", async () => {
    const run = await cli(["client", "create", "--data", data, "--name", "Pipeline Controller Client", "--redirect-url", "https://a.example/oauth_redirect.do, https://b.example/oauth_redirect.do", "--grant-types", "authorization_code,refresh_token,password", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(run.stdout);
    assert.match(record.client_id, /^[0-9a-f]{32}$/);
    assert.ok(record.client_secret.length >= 43);
    assert.equal(record.redirect_url, "https://a.example/oauth_redirect.do, https://b.example/oauth_redirect.do");
    assert.equal(record.pkce_required, true);
    assert.equal(record.access_token_lifespan, 1800);
    assert.equal(record.refresh_token_lifespan, 8640000);
    clientId = record.client_id;
    secret = record.client_secret;
  });

  test("plain commas work as list separators too", async () => {
    const run = await cli(["client", "create", "--data", data, "--name", "Plain", "--redirect-url", "https://a.example/x,https://b.example/y", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).redirect_url, "https://a.example/x, https://b.example/y");
  });

  test("show never prints the secret again, and the database holds only its hash", async () => {
    const run = await cli(["client", "show", clientId, "--data", data, "--json"]);
    assert.equal(run.code, 0);
    assert.equal(JSON.parse(run.stdout).client_secret, undefined);
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path.join(data, "portcullis.sqlite"), { readonly: true });
    const dump = JSON.stringify(db.prepare("select * from oauth_entity").all()) + JSON.stringify(db.prepare("select * from sys_audit").all());
    db.close();
    assert.ok(!dump.includes(secret));
  });

  test("list shows the clients as a table", async () => {
    const run = await cli(["client", "list", "--data", data]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Pipeline Controller Client/);
    assert.match(run.stdout, /CLIENT ID/);
  });

  test("update changes settings and validates them", async () => {
    const ok = await cli(["client", "update", clientId, "--data", data, "--access-token-lifespan", "600", "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).access_token_lifespan, 600);
    const bad = await cli(["client", "update", clientId, "--data", data, "--access-token-lifespan", "5"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /access_token_lifespan/);
  });

  test("the Client credentials user reads back as the user name it was given as, in the table and in --json, not as its sys_id", async () => {
    const adminSysId = JSON.parse((await cli(["user", "list", "--data", data, "--json"])).stdout).find((u: { user_name: string }) => u.user_name === "admin").sys_id;
    const updated = await cli(["client", "update", clientId, "--data", data, "--client-credentials-user", "admin", "--json"]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(JSON.parse(updated.stdout).client_credentials_user, "admin");
    const json = await cli(["client", "show", clientId, "--data", data, "--json"]);
    assert.equal(JSON.parse(json.stdout).client_credentials_user, "admin");
    const shown = await cli(["client", "show", clientId, "--data", data]);
    assert.match(shown.stdout, /^client_credentials_user +admin$/m);
    const listed = await cli(["client", "list", "--data", data, "--json"]);
    assert.equal(JSON.parse(listed.stdout).find((c: { client_id: string }) => c.client_id === clientId).client_credentials_user, "admin");
    for (const run of [updated, json, shown, listed]) assert.ok(!run.stdout.includes(adminSysId), run.stdout);
    // Given as the sys_id, it still reads back as the name.
    const bySysId = await cli(["client", "update", clientId, "--data", data, "--client-credentials-user", adminSysId, "--json"]);
    assert.equal(JSON.parse(bySysId.stdout).client_credentials_user, "admin");
  });

  test("invalid input is refused with a clear message and exit code 2, and nothing is created", async () => {
    const runs = await Promise.all([
      cli(["client", "create", "--data", data, "--name", "Bad", "--redirect-url", "http://evil.example/cb"]),
      cli(["client", "create", "--data", data, "--name", "Bad", "--redirect-url", "not a url"]),
      cli(["client", "create", "--data", data, "--name", "Bad", "--grant-types", "implicit"]),
      cli(["client", "create", "--data", data, "--name", "Pipeline Controller Client"]),
      cli(["client", "create", "--data", data]),
    ]);
    for (const run of runs) assert.equal(run.code, 2, run.stderr);
    assert.match(runs[0]!.stderr, /only https is allowed/);
    assert.match(runs[2]!.stderr, /unknown grant type "implicit"/);
    assert.match(runs[3]!.stderr, /already exists/);
    const list = await cli(["client", "list", "--data", data, "--json"]);
    assert.equal(JSON.parse(list.stdout).length, 2);
  });

  test("every problem of the input is named at once, one line each, the unknown user and the name taken with the input's own", async () => {
    const bad = ["client", "create", "--data", data, "--name", "Bad2", "--redirect-url", "http://evil.example/cb", "--client-credentials-user", "ghost"];
    const unparsed = await cli([...bad, "--access-token-lifespan", "10"]);
    assert.equal(unparsed.code, 2);
    assert.deepEqual(unparsed.stderr.trim().split("\n"), [
      "portcullis: invalid input:",
      "  access_token_lifespan: must be at least 60",
      '  redirect_url: "http://evil.example/cb" uses http; only https is allowed except for loopback hosts (or give --allow-http-redirect)',
      '  client_credentials_user: no user "ghost"',
    ]);
    const parsed = await cli([...bad, "--access-token-lifespan", "600"]);
    assert.equal(parsed.code, 2);
    assert.deepEqual(parsed.stderr.trim().split("\n").slice(1), ['  redirect_url: "http://evil.example/cb" uses http; only https is allowed except for loopback hosts (or give --allow-http-redirect)', '  client_credentials_user: no user "ghost"']);
    const korean = await cli([...bad, "--lang", "ko"]);
    assert.match(korean.stderr, /--allow-http-redirect를 지정하세요/);
    const update = await cli(["client", "update", clientId, "--data", data, "--name", "Plain", "--grant-types", "", "--client-credentials-user", "ghost"]);
    assert.equal(update.code, 2);
    assert.deepEqual(update.stderr.trim().split("\n").slice(1), ["  grant_types: must name at least one grant type", '  client_credentials_user: no user "ghost"', '  name: an OAuth entity named "Plain" already exists']);
    assert.equal(JSON.parse((await cli(["client", "list", "--data", data, "--json"])).stdout).length, 2);

    // Where there is no instance yet, bad input makes none, to look a user up in or otherwise.
    const fresh = tempDir();
    const nowhere = await cli(["client", "create", "--data", fresh, "--name", "Bad2", "--redirect-url", "http://evil.example/cb", "--client-credentials-user", "ghost"]);
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /redirect_url: .*--allow-http-redirect/);
    const fs = await import("node:fs");
    assert.deepEqual(fs.readdirSync(fresh), []);
    fs.rmSync(fresh, { recursive: true, force: true });
  });

  test("regenerate-secret issues a new secret", async () => {
    const run = await cli(["client", "regenerate-secret", clientId, "--data", data, "--json"]);
    assert.equal(run.code, 0);
    assert.notEqual(JSON.parse(run.stdout).client_secret, secret);
  });

  test("deactivate and delete; an unknown client exits 3", async () => {
    const off = await cli(["client", "deactivate", "Plain", "--data", data, "--json"]);
    assert.equal(JSON.parse(off.stdout).active, false);
    assert.equal((await cli(["client", "delete", "Plain", "--data", data])).code, 0);
    const missing = await cli(["client", "show", "Plain", "--data", data]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /no OAuth client "Plain"/);
  });

  test("--help works everywhere", async () => {
    for (const args of [["--help"], ["client", "--help"], ["client", "create", "--help"], ["start", "--help"], ["user", "create", "--help"]]) {
      const run = await cli(args);
      assert.equal(run.code, 0, args.join(" "));
      assert.match(run.stdout, /Usage:/);
    }
  });

  test("user create with --password-stdin, then the user exists", async () => {
    const run = await cli(["user", "create", "integration.user", "--data", data, "--role", "itil", "--password-stdin"], "a long password\n");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Created user "integration.user" with roles itil/);
    const again = await cli(["user", "create", "integration.user", "--data", data, "--password-stdin"], "a long password\n");
    assert.equal(again.code, 2);
  });

  test("an unknown option is refused", async () => {
    const run = await cli(["client", "create", "--data", data, "--name", "X", "--frobnicate"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown option/);
  });
});
