import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { writeAudit } from "../../src/store/audit-store.ts";
import { findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * Manage Tokens and Audit show a page of the newest rows; Older walks back through the rest,
 * each row once and in order, rows of one instant included (they go by sys_id).
 */
const decode = (href: string) => href.replace(/&amp;/g, "&");

async function walk(browser: FormBrowser, first: string, rowsOf: (html: string) => string[]): Promise<{ rows: string[]; pages: number; newestLinked: boolean[] }> {
  const rows: string[] = [];
  const newestLinked: boolean[] = [];
  let path: string | undefined = first;
  let pages = 0;
  while (path) {
    const page = await browser.get(path);
    assert.equal(page.status, 200, path);
    rows.push(...rowsOf(page.html));
    newestLinked.push(/<a class="btn btn-small" href="[^"]*">Newest<\/a>/.test(page.html));
    const older = /<a class="btn btn-small" rel="next" href="([^"]+)">Older<\/a>/.exec(page.html)?.[1];
    path = older ? decode(older) : undefined;
    pages += 1;
    assert.ok(pages < 10, "the pages never end");
  }
  return { rows, pages, newestLinked };
}

for (const dialect of dialectsUnderTest()) {
  describe(`older pages of Manage Tokens and Audit on ${dialect.name}`, () => {
    let server: TestInstance;
    let browser: FormBrowser;
    const issuedIds: string[] = [];
    let clientSysId = "";
    // Recent enough that every token is still live (a live token's row has its Revoke link).
    const base = Date.now() - 200_000;
    before(async () => {
      server = await startTestInstance(dialect);
      const registered = await registerClient(server.instance, { name: "Paged Client", grant_types: "client_credentials" });
      const client = (await findClientBySysId(server.instance.store.db, registered.sysId))!;
      clientSysId = client.sysId;
      // Four tokens a second: the page boundary falls inside one second's tokens.
      for (let i = 0; i < 503; i++) {
        await issueTokens(server.instance.store.db, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test", base + i * 250);
      }
      const rows = await server.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", client.sysId).orderBy("sys_created_on", "desc").orderBy("sys_id").execute();
      issuedIds.push(...rows.map((r) => r.sys_id));
      // Three audit rows a millisecond, likewise.
      for (let i = 0; i < 304; i++) await writeAudit(server.instance.store.db, [{ tablename: "x_paging", documentkey: "0".repeat(32), fieldname: "n", newvalue: `v${i}`, user: "test" }], base + Math.floor(i / 3));
      browser = await signIn(server.base);
    });
    after(() => server.close());

    test("Manage Tokens: 500 to a page, then Older shows the rest, each token once, newest first", async () => {
      const { rows, pages, newestLinked } = await walk(browser, `/admin/tokens?client=${clientSysId}`, (html) =>
        [...html.matchAll(/href="\/admin\/tokens\/([0-9a-f]{32})\/revoke[?"]/g)].map((m) => m[1]!),
      );
      assert.equal(pages, 2);
      assert.deepEqual(newestLinked, [false, true]);
      assert.deepEqual(rows, issuedIds, "every token once, in the list's order");
    });

    test("Audit: 300 to a page, then Older shows the rest, each change once, newest first", async () => {
      const { rows, pages, newestLinked } = await walk(browser, "/admin/audit?table=x_paging", (html) => [...html.matchAll(/>n: v(\d+)</g)].map((m) => m[1]!));
      assert.equal(pages, 2);
      assert.deepEqual(newestLinked, [false, true]);
      assert.equal(rows.length, 304);
      assert.equal(new Set(rows).size, 304, "no change shown twice");
      const order = rows.map(Number);
      for (let i = 1; i < order.length; i++) assert.ok(Math.floor(order[i - 1]! / 3) >= Math.floor(order[i]! / 3), "newest first");
    });

    test("a token revoked from an Older page returns to that page, its client filter kept", async () => {
      const newest = await browser.get(`/admin/tokens?client=${clientSysId}`);
      const olderPath = decode(/<a class="btn btn-small" rel="next" href="([^"]+)">Older<\/a>/.exec(newest.html)![1]!);
      const older = await browser.get(olderPath);
      const revokeLink = decode(/href="(\/admin\/tokens\/[0-9a-f]{32}\/revoke\?[^"]+)"/.exec(older.html)![1]!);
      const tokenSysId = /\/admin\/tokens\/([0-9a-f]{32})\//.exec(revokeLink)![1]!;
      const confirm = await browser.get(revokeLink);
      assert.equal(confirm.status, 200);
      assert.ok(confirm.html.includes(`<a href="${olderPath.replace(/&/g, "&amp;")}">Manage Tokens</a>`), "the crumb leads back to the older page");
      const revoked = await browser.submitForm(confirm, `/admin/tokens/${tokenSysId}/revoke`);
      assert.equal(revoked.status, 303);
      assert.equal(revoked.location, olderPath);
      const back = await browser.get(revoked.location!);
      assert.match(back.html, /The token was revoked\./);
      assert.ok(!back.html.includes(`/admin/tokens/${tokenSysId}/revoke`), "the token is shown revoked there, without its Revoke link");
      const row = await server.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("sys_id", "=", tokenSysId).executeTakeFirstOrThrow();
      assert.notEqual(row.revoked_at, null);
    });

    test("a cursor that is not one shows the newest page", async () => {
      for (const older of ["x", "2026-01-05 09:00:00,zz", "1,".padEnd(40, "f"), "%00"]) {
        const page = await browser.get(`/admin/audit?table=x_paging&older=${encodeURIComponent(older)}`);
        assert.equal(page.status, 200);
        assert.match(page.html, />n: v303</, older);
      }
    });
  });
}
