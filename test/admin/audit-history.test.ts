import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { deleteClient } from "../../src/store/oauth-entity-store.ts";
import { listRoles } from "../../src/store/user-admin-store.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();
const unknown = "0123456789abcdef0123456789abcdef";

describe("a record's History for a sys_id that never named a record says so, with a 404", () => {
  let server: TestInstance;
  let browser: FormBrowser;

  before(async () => {
    server = await startTestInstance(dialect!);
    browser = await signIn(server.base);
  });
  after(() => server?.close());

  test("an unknown sys_id, with or without its table, is a 404 that says there is no such record and no history", async () => {
    for (const path of [`/admin/audit?table=sys_user&record=${unknown}`, `/admin/audit?record=${unknown}`, `/admin/audit?table=no_such_table&record=${unknown}`]) {
      const page = await browser.get(path);
      assert.equal(page.status, 404, path);
      assert.match(page.html, /<h1>No such record<\/h1>/, path);
      assert.match(page.html, new RegExp(`There is no record with sys_id ${unknown}, and no change was ever recorded for one`), path);
      assert.match(page.html, /<a href="\/admin\/audit">Audit<\/a>/, `${path}: a way back to Audit`);
      assert.doesNotMatch(page.html, /<table class="list">/, path);
    }
  });

  test("in Korean", async () => {
    const korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
    const page = await korean.get(`/admin/audit?table=oauth_entity&record=${unknown}`);
    assert.equal(page.status, 404);
    assert.match(page.html, /<h1>레코드를 찾을 수 없음<\/h1>/);
    assert.match(page.html, new RegExp(`sys_id가 ${unknown}인 레코드가 없고`));
  });

  test("a key longer than any sys_id is a 404 too, and the page shows it cut short", async () => {
    const page = await browser.get(`/admin/audit?record=${"a".repeat(500)}`);
    assert.equal(page.status, 404);
    assert.match(page.html, new RegExp(`There is no record with sys_id ${"a".repeat(40)}…,`));
  });

  test("a record that exists with no audit rows, and a deleted one with its rows, keep their 200 History", async () => {
    const admin = (await listRoles(server.instance.store.db)).find((r) => r.name === "admin")!;
    const role = await browser.get(`/admin/audit?table=sys_user_role&record=${admin.sysId}`);
    assert.equal(role.status, 200, role.html);
    assert.match(role.html, /No changes recorded\./);
    const client = await registerClient(server.instance, { name: "Short-lived Endpoint" });
    await deleteClient(server.instance.store.db, client.sysId, "admin");
    const deleted = await browser.get(`/admin/audit?table=oauth_entity&record=${client.sysId}`);
    assert.equal(deleted.status, 200, deleted.html);
    assert.match(deleted.html, /Deleted, Name was Short-lived Endpoint/);
    // Under a table it is not in, the key still has a history, so it is not "no such record".
    assert.equal((await browser.get(`/admin/audit?table=sys_user&record=${client.sysId}`)).status, 200);
  });
});
