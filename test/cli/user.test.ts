import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { loadConfig } from "../../src/config.ts";
import { openSqlite } from "../../src/store/database.ts";
import { startServer } from "../../src/server.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";
import { passwordGrant, refreshError, revocationReasons, whoamiStatus } from "../support/user-access.ts";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C" });
  return { code, stdout, stderr };
}

describe("portcullis user and the data directory it works on", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a command on a directory with no instance says it made a new one; the next one does not", async () => {
    const first = await cli(["user", "create", "svc", "--data", dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`No instance was at ${path.join(dir, "portcullis.sqlite").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: created a new one`));
    const second = await cli(["user", "grant", "svc", "itil", "--data", dir]);
    assert.doesNotMatch(second.stderr, /No instance was at/);
  });

  test("a command that creates nothing refuses a directory with no instance, and makes none", async () => {
    const empty = path.join(dir, "typo");
    for (const args of [["client", "list"], ["user", "list"], ["provider", "list"], ["client", "show", "x"], ["user", "grant", "svc", "itil"]]) {
      const run = await cli([...args, "--data", empty]);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`No instance is at ${path.join(empty, "portcullis.sqlite").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, and this command makes none`));
      assert.doesNotMatch(run.stderr, /password/i);
      assert.equal(fs.existsSync(path.join(empty, "portcullis.sqlite")), false, args.join(" "));
    }
  });

  test("grant names a role it had to create, so a typo shows; revoke takes a role away, never the last admin's", async () => {
    const typo = await cli(["user", "grant", "svc", "admn", "--data", dir]);
    assert.equal(typo.code, 0);
    assert.match(typo.stderr, /The role "admn" did not exist and was created/);
    assert.match(typo.stdout, /"svc" now has the roles admn, itil\./);
    const again = await cli(["user", "grant", "svc", "itil", "--data", dir]);
    assert.doesNotMatch(again.stderr, /did not exist/, "an existing role is not announced");

    const revoked = await cli(["user", "revoke", "svc", "admn", "--data", dir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, '"svc" now has the roles itil.\n');
    assert.equal((await cli(["user", "revoke", "svc", "itil", "--data", dir])).stdout, '"svc" now has no roles.\n');

    const notHeld = await cli(["user", "revoke", "svc", "admn", "--data", dir]);
    assert.equal(notHeld.code, 0);
    assert.match(notHeld.stderr, /"svc" does not have the role "admn"; nothing was taken\./);

    const lastAdmin = await cli(["user", "revoke", "admin", "admin", "--data", dir]);
    assert.equal(lastAdmin.code, 2);
    assert.match(lastAdmin.stderr, /last active admin/);
    assert.equal((await cli(["user", "revoke", "nobody", "itil", "--data", dir])).code, 3);
  });

  test("a role name the admin UI would refuse is refused here too, named as given, and nothing is written", async () => {
    const listed = async () => JSON.parse((await cli(["user", "list", "--json", "--data", dir])).stdout) as { user_name: string; roles: string[] }[];
    const before = await listed();
    const create = await cli(["user", "create", "svc2", "--role", "Bad Role", "--role", "hr_new", "--role", "9lives", "--data", dir]);
    assert.equal(create.code, 2, create.stderr);
    assert.match(create.stderr, /\n {2}role: “Bad Role” is not a role name: a role name starts with a lowercase letter/);
    assert.match(create.stderr, /\n {2}role: “9lives” is not a role name/, "each wrong role is named, not only the first");
    assert.doesNotMatch(create.stderr, /hr_new/, "the good role is not blamed");
    const grant = await cli(["user", "grant", "svc", "Adminn!", "--data", dir]);
    assert.equal(grant.code, 2, grant.stderr);
    assert.match(grant.stderr, /\n {2}role: “Adminn!” is not a role name/);
    assert.match((await cli(["user", "grant", "svc", " ", "--data", dir])).stderr, /\n {2}role: is mandatory/);
    assert.equal((await cli(["user", "grant", "svc2", "itil", "--data", dir])).code, 3, "svc2 was not created");
    assert.deepEqual(await listed(), before, "no user, and no grant, changed");
    const store = openSqlite(path.join(dir, "portcullis.sqlite"));
    try {
      assert.equal(await store.db.selectFrom("sys_user_role").select("name").where("name", "=", "hr_new").executeTakeFirst(), undefined, "the good role given beside a wrong one is not made");
    } finally {
      await store.close();
    }
  });

  test("a wrong role on a directory with no instance makes none", async () => {
    const fresh = path.join(dir, "fresh");
    const refused = await cli(["user", "create", "svc", "--role", "itil", "--role", "Bad", "--data", fresh]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /role: “Bad” is not a role name/);
    assert.equal(fs.existsSync(path.join(fresh, "portcullis.sqlite")), false);
  });

  test("list shows every user with roles, never a password hash; deactivate and activate switch sign-in, never off for the last admin", async () => {
    const listed = await cli(["user", "list", "--data", dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^USER NAME\s+NAME\s+ACTIVE\s+ROLES\n/);
    assert.match(listed.stdout, /\nadmin\s+System Administrator\s+yes\s+admin\n/);
    assert.match(listed.stdout, /\nsvc\s+svc\s+yes\s*\n/);
    const json = await cli(["user", "list", "--json", "--data", dir]);
    const users = JSON.parse(json.stdout) as { user_name: string; active: boolean; roles: string[] }[];
    assert.deepEqual(users.map((u) => [u.user_name, u.active, u.roles]), [["admin", true, ["admin"]], ["svc", true, []]]);
    assert.doesNotMatch(json.stdout, /hash|\$argon|\$scrypt/i);

    const off = await cli(["user", "deactivate", "svc", "--data", dir]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, '"svc" is deactivated: their sessions ended and their live tokens were revoked.\n');
    assert.equal((await cli(["user", "deactivate", "svc", "--data", dir])).stdout, '"svc" is already inactive; nothing changed.\n');
    assert.match((await cli(["user", "list", "--data", dir])).stdout, /\nsvc\s+svc\s+no\s*\n/);
    assert.equal((await cli(["user", "activate", "svc", "--data", dir])).stdout, '"svc" is active again and can sign in.\n');

    const lastAdmin = await cli(["user", "deactivate", "admin", "--data", dir]);
    assert.equal(lastAdmin.code, 2);
    assert.match(lastAdmin.stderr, /last active admin/);
    assert.equal((JSON.parse((await cli(["user", "list", "--json", "--data", dir])).stdout) as { active: boolean }[])[0]!.active, true);
    assert.equal((await cli(["user", "activate", "nobody", "--data", dir])).code, 3);
  });
});

describe("portcullis user create with a first and last name", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const listed = async () => JSON.parse((await cli(["user", "list", "--json", "--data", dir])).stdout) as { user_name: string; name: string; first_name: string; last_name: string; email: string }[];

  test("without --name the user is named \"first last\"; --name wins; neither names them by their user name", async () => {
    assert.equal((await cli(["user", "create", "ada", "--first-name", " Ada ", "--last-name", "Lovelace", "--data", dir])).code, 0);
    assert.equal((await cli(["user", "create", "countess", "--first-name", "Augusta", "--last-name", "King", "--name", "Countess of Lovelace", "--data", dir])).code, 0);
    assert.equal((await cli(["user", "create", "teller", "--last-name", "Teller", "--data", dir])).code, 0);
    assert.equal((await cli(["user", "create", "svc", "--data", dir])).code, 0);
    const users = new Map((await listed()).map((u) => [u.user_name, [u.name, u.first_name, u.last_name]]));
    assert.deepEqual(users.get("ada"), ["Ada Lovelace", "Ada", "Lovelace"], "trimmed as the admin UI trims");
    assert.deepEqual(users.get("countess"), ["Countess of Lovelace", "Augusta", "King"]);
    assert.deepEqual(users.get("teller"), ["Teller", "", "Teller"]);
    assert.deepEqual(users.get("svc"), ["svc", "", ""]);
  });

  test("a first name over 50 characters is refused at its field, and no user is made", async () => {
    const run = await cli(["user", "create", "long.first", "--first-name", "F".repeat(51), "--data", dir]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /first_name: must be at most 50 characters/);
    assert.equal((await listed()).some((u) => u.user_name === "long.first"), false);
  });

  test("--email is kept, as the admin UI's Email; one the UI would refuse is refused at its field, and no user is made", async () => {
    assert.equal((await cli(["user", "create", "mailed", "--email", "mailed@example.test", "--data", dir])).code, 0);
    assert.equal((await listed()).find((u) => u.user_name === "mailed")?.email, "mailed@example.test");
    for (const bad of ["not an address", "@example.test"]) {
      const run = await cli(["user", "create", "badly.mailed", "--email", bad, "--data", dir]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^ {2}email: must be an email address$/m);
    }
    assert.equal((await listed()).some((u) => u.user_name === "badly.mailed"), false);
  });
});

describe("portcullis user create and the roles it names", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("create names each role it had to create, as grant does, and no role that existed", async () => {
    assert.equal((await cli(["user", "create", "svc", "--role", "itil", "--data", dir])).code, 0);
    const made = await cli(["user", "create", "ada", "--role", "itil", "--role", "hr_clerk", "--role", "hr_clerk", "--data", dir]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^Created user "ada" with roles itil, hr_clerk\.\n/, "a role given twice is named once");
    assert.equal(made.stderr.match(/The role "hr_clerk" did not exist and was created/g)?.length, 1, made.stderr);
    assert.doesNotMatch(made.stderr, /"itil" did not exist/, "svc made itil");
    const again = await cli(["user", "create", "bo", "--role", "hr_clerk", "--data", dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /did not exist/, "an existing role is not announced");
  });
});

describe("portcullis user set-password while the instance serves", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the user's tokens from the old password stop working at once, audited; the new password signs in", async () => {
    const created = await cli(["user", "create", "carol", "--data", dir]);
    assert.equal(created.code, 0, created.stderr);
    const firstPassword = /shown only this once\): (\S+)/.exec(created.stdout)![1]!;
    const port = await freePort();
    const server = await startServer(loadConfig({ dataDir: dir, port, host: "127.0.0.1", adminPassword, logLevel: "silent" }), { logger: false, print: () => {} });
    try {
      const base = `http://127.0.0.1:${port}`;
      const client = await registerClient(server.instance, { name: "CLI password client", grant_types: "password,refresh_token" });
      const tokens = await passwordGrant(base, client, "carol", firstPassword);
      assert.equal(await whoamiStatus(base, tokens.access_token), 200);

      const changed = await cli(["user", "set-password", "carol", "--data", dir]);
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /^Password of "carol" changed\./);
      assert.equal(await whoamiStatus(base, tokens.access_token), 401, "the old access token is refused");
      assert.equal(await refreshError(base, client, tokens.refresh_token), "invalid_grant", "the old refresh token refreshes nothing");
      const carol = (await findUserByName(server.instance.store.db, "carol"))!;
      assert.deepEqual(await revocationReasons(server.instance.store.db, carol.sysId), ["password changed"]);
      const newPassword = /shown only this once\): (\S+)/.exec(changed.stdout)![1]!;
      assert.equal(await whoamiStatus(base, (await passwordGrant(base, client, "carol", newPassword)).access_token), 200);
    } finally {
      await server.close();
    }
  });
});
