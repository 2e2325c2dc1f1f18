import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/** A stored platform timestamp as it is kept ("2026-03-12 08:05:09"): never what a page shows. */
const rawTimestamp = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;
const englishTime = /[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d:\d\d UTC/;
const koreanTime = /\d{4}\. \d{1,2}\. \d{1,2}\. \d{1,2}:\d\d:\d\d UTC/;

const [dialect] = dialectsUnderTest();

describe("times on Manage Tokens, a revoke's confirmation, Audit and History read as the page's language writes them", () => {
  let server: TestInstance;
  let english: FormBrowser;
  let korean: FormBrowser;
  let client: RegisteredClient;
  let revokeHref: string;

  before(async () => {
    server = await startTestInstance(dialect!);
    client = await registerClient(server.instance, { name: "Dated Client", grant_types: "password,refresh_token" });
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.status, 200, res.text);
    english = await signIn(server.base);
    korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
    const list = await english.get("/admin/tokens");
    revokeHref = /href="(\/admin\/tokens\/[0-9a-f]{32}\/revoke)"/.exec(list.html)![1]!;
  });
  after(() => server?.close());

  for (const [language, written] of [["en", englishTime], ["ko", koreanTime]] as const) {
    test(`in ${language}`, async () => {
      const browser = language === "en" ? english : korean;
      for (const path of ["/admin/tokens", revokeHref, "/admin/audit", `/admin/registry/${client.sysId}`]) {
        const page = await browser.get(path);
        assert.equal(page.status, 200, path);
        assert.match(page.html, new RegExp(`<html lang="${language}"`), path);
        assert.doesNotMatch(page.html, rawTimestamp, `${path} shows a stored timestamp as it is kept`);
        assert.match(page.html, written, `${path} shows no time in the page's language`);
      }
      // Times carry their zone, so the column headings do not repeat it.
      assert.doesNotMatch((await browser.get("/admin/tokens")).html, /<th scope="col">[^<]*\(UTC\)<\/th>/);
    });
  }
});
