import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { deleteClient } from "../../src/store/oauth-entity-store.ts";
import { signIn } from "../support/admin.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();
const rowCount = (html: string) => (/<tbody>(.*?)<\/tbody>/s.exec(html)?.[1]?.match(/<tr>/g) ?? []).length;

describe("Manage Tokens and Audit, asked for a client or a table that is not there, list what their choice shows: everything", () => {
  let server: TestInstance;
  let goneSysId: string;

  before(async () => {
    server = await startTestInstance(dialect!);
    const kept = await registerClient(server.instance, { name: "Kept Client", grant_types: "password" });
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(kept.clientId, kept.secret) });
    assert.equal(res.status, 200, res.text);
    const gone = await registerClient(server.instance, { name: "Gone Client" });
    goneSysId = gone.sysId;
    await deleteClient(server.instance.store.db, gone.sysId, "admin");
  });
  after(() => server?.close());

  test("a deleted client's token list (a stale link) shows every token under All clients, not an empty list under it", async () => {
    const browser = await signIn(server.base);
    const page = await browser.get(`/admin/tokens?client=${goneSysId}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /<option value>All clients<\/option>/);
    assert.doesNotMatch(page.html, /<option value="[0-9a-f]{32}" selected>/);
    assert.equal(rowCount(page.html), rowCount((await browser.get("/admin/tokens")).html));
    assert.ok(rowCount(page.html) > 0);
  });

  test("Audit for a table with no audit rows shows every change under All tables, not an empty list under it", async () => {
    const browser = await signIn(server.base);
    const page = await browser.get("/admin/audit?table=no_such_table");
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /<option value="[a-z_]+" selected>/);
    assert.equal(rowCount(page.html), rowCount((await browser.get("/admin/audit")).html));
    assert.ok(rowCount(page.html) > 0);
  });
});
