import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import { recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

/** The providers section of the registry list: its count line and what it says when it is empty. */
function providerSection(html: string): { count: string | undefined; empty: string | undefined } {
  const section = /<section aria-labelledby="providers-heading">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
  return { count: /<p class="count">([^<]*)<\/p>/.exec(section)?.[1], empty: /<p class="empty">([^<]*)<\/p>/.exec(section)?.[1] };
}

describe("the registry list's filter narrows the providers, and their section says so", () => {
  let server: TestInstance;

  before(async () => {
    server = await startTestInstance(dialect!);
    await recordProvider(server.instance, { name: "Filtered Provider", client_id: "filtered-provider", client_secret: "s3cret-value", token_url: "http://127.0.0.1:9/oauth_token.do" });
  });
  after(() => server?.close());

  test("a filter no provider matches says no provider matches, not that there is none yet", async () => {
    const browser = await signIn(server.base);
    assert.deepEqual(providerSection((await browser.get("/admin/registry?q=nothing-like-it")).html), { count: "0 providers matching “nothing-like-it”", empty: "No providers match the filter." });
    assert.deepEqual(providerSection((await browser.get("/admin/registry?q=filtered")).html), { count: "1 provider matching “filtered”", empty: undefined });
    const unfiltered = (await browser.get("/admin/registry")).html;
    assert.deepEqual(providerSection(unfiltered), { count: "1 provider", empty: undefined });
    // No endpoint yet, but a provider listed below: the endpoints' empty line must not say there is no application at all.
    assert.match(unfiltered, /<p class="empty">No OAuth API endpoints for external clients yet\. Select New to create one\.<\/p>/);
    browser.setCookie(languageCookie, "ko");
    assert.deepEqual(providerSection((await browser.get("/admin/registry?q=nothing-like-it")).html), { count: "“nothing-like-it”와(과) 일치하는 공급자 0개", empty: "필터와 일치하는 공급자가 없습니다." });
  });
});
