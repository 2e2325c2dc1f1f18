import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createUser } from "../../src/store/user-store.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/** The Users list pages as the Application Registry's does: a hundred to a page, the filter and the sort kept. */
const userNames = (page: Page) => [...page.html.matchAll(/<td><a href="\/admin\/users\/[0-9a-f]{32}">([^<]+)<\/a>/g)].map((m) => m[1]);
const next = (page: Page) => /<a class="btn btn-small" rel="next" href="([^"]+)"/.exec(page.html)?.[1]?.replace(/&amp;/g, "&");
const paged = (n: number) => `paged.${String(n).padStart(3, "0")}`;

for (const dialect of dialectsUnderTest()) {
  describe(`the Users list on ${dialect.name}`, () => {
    let server: TestInstance;
    let browser: FormBrowser;
    before(async () => {
      server = await startTestInstance(dialect);
      for (let n = 1; n <= 230; n++) {
        await createUser(server.instance.store.db, { userName: paged(n), name: n % 2 ? "Odd Robot" : "Even Robot", email: `robot${n}@example.test`, passwordHash: null, roles: n === 7 ? ["itil"] : [] }, "test");
      }
      browser = await signIn(server.base);
    });
    after(() => server.close());

    test("a hundred to a page; Next and Previous keep the filter and the sort, and every user is shown once", async () => {
      let page = await browser.get("/admin/users?q=PAGED&sort=user_name&dir=desc");
      assert.equal(page.status, 200);
      assert.match(page.html, /230 users matching “PAGED”/);
      assert.match(page.html, /<nav class="pager" aria-label="Pages"><span>Users 1–100 of 230<\/span>/);
      assert.deepEqual([userNames(page).length, userNames(page)[0]], [100, paged(230)]);
      const seen = [...userNames(page)];
      for (const range of ["101–200", "201–230"]) {
        const link = next(page)!;
        assert.deepEqual(Object.fromEntries(new URL(link, server.base).searchParams), { q: "PAGED", sort: "user_name", dir: "desc", page: String(seen.length / 100 + 1) });
        page = await browser.get(link);
        assert.match(page.html, new RegExp(`Users ${range} of 230`));
        seen.push(...userNames(page));
      }
      assert.equal(next(page), undefined, "the last page has no next");
      assert.match(page.html, /rel="prev" href="\/admin\/users\?q=PAGED&amp;sort=user_name&amp;dir=desc&amp;page=2"/);
      assert.deepEqual(seen, Array.from({ length: 230 }, (_, i) => paged(230 - i)), "every user once, in order");
      assert.deepEqual(userNames(await browser.get("/admin/users?q=PAGED&sort=user_name&dir=desc&page=99")), seen.slice(200), "past the end is the last page");
    });

    test("the whole list: the admin among them, 231 users over three pages, by user name", async () => {
      const page = await browser.get("/admin/users");
      assert.match(page.html, /<p class="count" role="status">231 users<\/p>/);
      assert.match(page.html, /Users 1–100 of 231/);
      assert.equal(userNames(page)[0], "admin");
      assert.match(page.html, /<th scope="col" aria-sort="ascending"><a href="\/admin\/users\?sort=user_name&amp;dir=desc">User name/);
    });

    test("the pager names users, in Korean too, as the Registry's names records", async () => {
      const korean = await fetch(new URL("/admin/users", server.base), { headers: { cookie: browser.cookieHeader(), "accept-language": "ko" } });
      const html = await korean.text();
      assert.match(html, /<nav class="pager" aria-label="[^"]+"><span>사용자 231명 중 1–100<\/span>/);
      assert.doesNotMatch(html, /레코드/);
    });

    test("the filter matches name and email too, as plain text; one page needs no pager", async () => {
      const byEmail = await browser.get("/admin/users?q=robot7%40");
      assert.deepEqual(userNames(byEmail), [paged(7)]);
      assert.match(byEmail.html, /<td>itil<\/td>/, "the roles of the users shown");
      assert.doesNotMatch(byEmail.html, /class="pager"/);
      assert.match((await browser.get("/admin/users?q=even%20robot")).html, /115 users matching “even robot”/);
      const literal = await browser.get("/admin/users?q=%25");
      assert.match(literal.html, /0 users matching/);
      assert.match(literal.html, /No users match the filter\./);
    });

    test("sorting by a column keeps the filter; a sort or page that is not one shows the list", async () => {
      const byName = await browser.get("/admin/users?q=paged&sort=name&dir=asc");
      assert.match(byName.html, /<a href="\/admin\/users\?q=paged&amp;sort=name&amp;dir=desc">Name/);
      const number = (userName: string | undefined) => Number(userName!.slice(-3));
      assert.ok(userNames(byName).length === 100 && userNames(byName).every((u) => number(u) % 2 === 0), "the 115 Even Robots come before the Odd");
      assert.ok(userNames(await browser.get("/admin/users?q=paged&sort=name&dir=desc")).every((u) => number(u) % 2 === 1), "and after them the other way round");
      for (const query of ["sort=drop%20table&dir=sideways", "page=-1", "page=abc"]) assert.equal((await browser.get(`/admin/users?${query}`)).status, 200, query);
    });

    test("the new-user form under the list still creates a user, and its errors keep the list", async () => {
      const page = await browser.get("/admin/users?page=3");
      const bad = await browser.submitForm(page, "/admin/users", { user_name: "no spaces", password: "long enough 1" });
      assert.equal(bad.status, 400);
      assert.match(bad.html, /Users 1–100 of 231/);
    });

    test("the filter finds a name with a non-ASCII capital as typed (SQLite's lower() leaves it as it is)", async () => {
      await createUser(server.instance.store.db, { userName: "ezola", name: "Émile Zola", email: "", passwordHash: null, roles: [] }, "test");
      assert.deepEqual(userNames(await browser.get(`/admin/users?q=${encodeURIComponent("Émile")}`)), ["ezola"]);
      assert.deepEqual(userNames(await browser.get(`/admin/users?q=${encodeURIComponent("ZOLA")}`)), ["ezola"]);
    });
  });
}
