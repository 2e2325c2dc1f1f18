import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { findUserByName, rolesOf } from "../../src/store/user-store.ts";
import { fieldError, followRedirect, signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

describe("the user page's Grant names the role typed when it is not a role name, and changes nothing", () => {
  let server: TestInstance;
  let english: FormBrowser;
  let korean: FormBrowser;
  let path: string;

  before(async () => {
    server = await startTestInstance(dialect!);
    english = await signIn(server.base);
    korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
    const form = await english.get("/admin/users");
    await followRedirect(english, await english.submitForm(form, "/admin/users", { user_name: "ada", password: "long enough 1", roles: "itil" }));
    path = `/admin/users/${(await findUserByName(server.instance.store.db, "ada"))!.sysId}`;
  });
  after(() => server?.close());

  const cases = [
    { language: "English", reader: () => english, named: /^“Adminn!” is not a role name: a role name starts with a lowercase letter/, summary: /<a href="#role">Role<\/a>: “Adminn!” is not a role name/, mandatory: /^is mandatory$/ },
    { language: "Korean", reader: () => korean, named: /^“Adminn!”은\(는\) 역할 이름이 될 수 없습니다\. 소문자로 시작하고/, summary: /<a href="#role">역할<\/a>: “Adminn!”은\(는\) 역할 이름이 될 수 없습니다/, mandatory: /^필수 항목입니다$/ },
  ];

  for (const { language, reader, named, summary, mandatory } of cases) {
    test(`in ${language}: the error at Grant and in the summary quotes the role as typed (trimmed); a blank one is mandatory`, async () => {
      const browser = reader();
      const before = await tableCounts(server.instance.store);
      const page = await browser.get(path);
      const refused = await browser.submitForm(page, `${path}/roles`, { role: "  Adminn! ", _action: "grant" });
      assert.equal(refused.status, 400, refused.html.slice(0, 300));
      assert.match(fieldError(refused, "role") ?? "", named);
      assert.match(refused.html, summary);
      assert.match(refused.html, /<input type="text" id="role" name="role" value="  Adminn! "/, "what was typed stays in the field to be corrected");
      const blank = await browser.submitForm(page, `${path}/roles`, { role: "   ", _action: "grant" });
      assert.equal(blank.status, 400);
      assert.match(fieldError(blank, "role") ?? "", mandatory);
      assert.deepEqual(await tableCounts(server.instance.store), before, "no grant, no role, no audit row");
      assert.deepEqual(await rolesOf(server.instance.store.db, (await findUserByName(server.instance.store.db, "ada"))!.sysId), ["itil"]);
    });
  }
});
