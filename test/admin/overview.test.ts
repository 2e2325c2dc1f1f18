import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import { recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

describe("the overview's Application Registry card counts both kinds of record the registry lists", () => {
  let server: TestInstance;

  before(async () => {
    server = await startTestInstance(dialect!);
    await registerClient(server.instance, { name: "Counted Endpoint" });
    await recordProvider(server.instance, { name: "Counted Provider A", client_id: "provider-a", client_secret: "s3cret-value", token_url: "http://127.0.0.1:9/oauth_token.do" });
    await recordProvider(server.instance, { name: "Counted Provider B", client_id: "provider-b", client_secret: "s3cret-value", token_url: "http://127.0.0.1:9/oauth_token.do" });
  });
  after(() => server?.close());

  test("in English and Korean: one endpoint and two providers", async () => {
    const browser = await signIn(server.base);
    const card = (html: string) => /<a class="card-link" href="\/admin\/registry"><strong>[^<]+<\/strong><span>([^<]+)<\/span>/.exec(html)?.[1];
    assert.equal(card((await browser.get("/admin")).html), "1 OAuth API endpoint for external clients, 2 third-party OAuth providers");
    browser.setCookie(languageCookie, "ko");
    assert.equal(card((await browser.get("/admin")).html), "외부 클라이언트용 OAuth API 엔드포인트 1개, 타사 OAuth 공급자 2개");
  });
});
