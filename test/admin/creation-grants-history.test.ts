import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { loadConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { followRedirect, signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { runCli } from "../support/in-process-cli.ts";
import { adminPassword, freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

/** The rows of the user page's History, each as its cells' text: when, who, change, reason. */
function historyRows(page: Page): string[][] {
  const history = /<section class="history"[\s\S]*?<\/section>/.exec(page.html)?.[0] ?? "";
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(history)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!));
}

function rowOf(rows: string[][], change: string): string[] {
  const row = rows.find((r) => r[2] === change);
  assert.ok(row, `no History row "${change}" in ${JSON.stringify(rows)}`);
  return row;
}

async function userPage(browser: FormBrowser, db: TestInstance["instance"]["store"]["db"], userName: string): Promise<Page> {
  const user = (await findUserByName(db, userName))!;
  return browser.get(`/admin/users/${user.sysId}`);
}

/** Makes the database refuse the audit row of one grant: a failure inside the creation's transaction, after the user and the grants are written. */
async function refuseGrantAudit(instance: TestInstance["instance"], role: string): Promise<void> {
  const db = instance.store.db;
  if (instance.store.dialect === "sqlite") {
    await sql`create trigger refuse_grant_audit before insert on sys_audit when new.newvalue = ${sql.lit(`+${role}`)} begin select raise(abort, 'refused by the test'); end`.execute(db);
    return;
  }
  await sql`create function refuse_grant_audit() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`.execute(db);
  await sql`create trigger refuse_grant_audit before insert on sys_audit for each row when (new.newvalue = ${sql.lit(`+${role}`)}) execute function refuse_grant_audit()`.execute(db);
}

for (const dialect of dialectsUnderTest()) {
  describe(`roles given when a user is created are in their History, as later grants are, on ${dialect.name}`, () => {
    let server: TestInstance;
    let browser: FormBrowser;

    before(async () => {
      server = await startTestInstance(dialect);
      browser = await signIn(server.base);
    });
    after(() => server.close());

    test("New user with roles: each reads 'Roles: +role' by the admin at the creation's time, as a role granted afterwards reads", async () => {
      const form = await browser.get("/admin/users");
      const created = await followRedirect(browser, await browser.submitForm(form, "/admin/users", { user_name: "ada", password: "long enough 1", roles: "itil, hr_clerk, itil" }));
      let rows = historyRows(created);
      const creation = rowOf(rows, "Created, User ID: ada");
      for (const role of ["itil", "hr_clerk"]) assert.deepEqual(rowOf(rows, `Roles: +${role}`), [creation[0], "admin", `Roles: +${role}`, ""]);
      assert.equal(rows.filter((row) => row[2]!.startsWith("Roles:")).length, 2, "a role typed twice is granted, and recorded, once");
      assert.deepEqual(rows.map((row) => row[2]), ["Roles: +hr_clerk", "Roles: +itil", "Created, User ID: ada", "Created, Name: ada", "Created, Active: Yes"], "newest first: the creation below the grants it made, each time");

      const user = (await findUserByName(server.instance.store.db, "ada"))!;
      const later = await followRedirect(browser, await browser.submitForm(created, `/admin/users/${user.sysId}/roles`, { role: "rest_api_explorer", _action: "grant" }));
      rows = historyRows(later);
      const [when, ...rest] = rowOf(rows, "Roles: +rest_api_explorer");
      assert.deepEqual(rest, ["admin", "Roles: +rest_api_explorer", ""], "the later grant's row has the same shape");
      assert.ok(when);
    });

    test("the first admin, made on first start with the role admin, has its grant in History by system", async () => {
      const rows = historyRows(await userPage(browser, server.instance.store.db, "admin"));
      assert.deepEqual(rowOf(rows, "Roles: +admin").slice(1), ["system", "Roles: +admin", ""]);
    });

    test("a creation that fails after its grants were written leaves no user, grant, role or History row", async () => {
      await refuseGrantAudit(server.instance, "doomed_role");
      const before = await tableCounts(server.instance.store);
      const form = await browser.get("/admin/users");
      const failed = await browser.submitForm(form, "/admin/users", { user_name: "bo", password: "long enough 1", roles: "itil, doomed_role" });
      assert.equal(failed.status, 500, failed.html.slice(0, 300));
      assert.deepEqual(await tableCounts(server.instance.store), before);
      assert.equal(await findUserByName(server.instance.store.db, "bo"), undefined);
    });
  });
}

describe("roles given to portcullis user create are in the user's History", () => {
  const dir = tempDir();
  let server: RunningServer | undefined;
  after(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("user create --role: 'Roles: +role' by admin, the CLI's actor, at the creation's time", async () => {
    const made = await runCli(["user", "create", "svc", "--role", "itil", "--role", "hr_clerk", "--data", dir], { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C" });
    assert.equal(made.code, 0, made.stderr);
    const port = await freePort();
    server = await startServer(loadConfig({ dataDir: dir, port, host: "127.0.0.1", adminPassword, logLevel: "silent" }), { logger: false, print: () => {} });
    const browser = await signIn(`http://127.0.0.1:${port}`);
    const rows = historyRows(await userPage(browser, server.instance.store.db, "svc"));
    const creation = rowOf(rows, "Created, User ID: svc");
    assert.deepEqual(rowOf(rows, "Roles: +itil"), [creation[0], "admin", "Roles: +itil", ""]);
    assert.deepEqual(rowOf(rows, "Roles: +hr_clerk"), [creation[0], "admin", "Roles: +hr_clerk", ""]);
  });
});
