import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();
const adminRow = (html: string) => /<code>admin<\/code><\/td><td>([^<]*)<\/td>/.exec(html)?.[1];

describe("Roles: the admin role's description the instance wrote reads in the page's language", () => {
  let server: TestInstance;

  before(async () => {
    server = await startTestInstance(dialect!);
  });
  after(() => server?.close());

  test("English, Korean, and a description an admin changed shown as stored", async () => {
    const browser = await signIn(server.base);
    assert.equal(adminRow((await browser.get("/admin/roles")).html), "Full control of the instance");
    browser.setCookie(languageCookie, "ko");
    assert.equal(adminRow((await browser.get("/admin/roles")).html), "인스턴스 전체 관리");
    await server.instance.store.db.updateTable("sys_user_role").set({ description: "Our own words" }).where("name", "=", "admin").execute();
    assert.equal(adminRow((await browser.get("/admin/roles")).html), "Our own words");
  });
});
