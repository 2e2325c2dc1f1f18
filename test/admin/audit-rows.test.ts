import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { deleteClient } from "../../src/store/oauth-entity-store.ts";
import { deleteProvider } from "../../src/store/provider-store.ts";
import { signIn } from "../support/admin.ts";
import { recordProvider } from "../support/consumer.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

/** The Change and Reason cells of each Audit row, in the order shown. */
function changesAndReasons(html: string): string[] {
  return [...html.matchAll(/<td class="wrap change">([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => `${m[1]} | ${m[2]}`);
}

describe("Audit words the creation and deletion of an endpoint and of a provider alike, and names a token's client", () => {
  let server: TestInstance;
  let issuing: RegisteredClient;

  before(async () => {
    server = await startTestInstance(dialect!);
    const endpoint = await registerClient(server.instance, { name: "Audited Endpoint" });
    const provider = await recordProvider(server.instance, { name: "Audited Provider", client_id: "audited-provider", client_secret: "s3cret-value", token_url: "http://127.0.0.1:9/oauth_token.do" });
    await deleteClient(server.instance.store.db, endpoint.sysId, "admin");
    await deleteProvider(server.instance.store.db, provider.sysId, "admin");
    issuing = await registerClient(server.instance, { name: "Issuing Client", grant_types: "password" });
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(issuing.clientId, issuing.secret) });
    assert.equal(res.status, 200, res.text);
  });
  after(() => server?.close());

  test("in English", async () => {
    const rows = changesAndReasons((await (await signIn(server.base)).get("/admin/audit?table=oauth_entity")).html);
    assert.ok(rows.includes("Created, name: Audited Endpoint | "), rows.join("\n"));
    assert.ok(rows.includes("Created, name: Audited Provider | "), rows.join("\n"));
    assert.ok(rows.includes("Deleted, name was Audited Endpoint | "), rows.join("\n"));
    assert.ok(rows.includes("Deleted, name was Audited Provider | "), rows.join("\n"));
  });

  test("in Korean", async () => {
    const browser = await signIn(server.base);
    browser.setCookie(languageCookie, "ko");
    const rows = changesAndReasons((await browser.get("/admin/audit?table=oauth_entity")).html);
    const created = rows.filter((r) => r.startsWith("생성됨, name: Audited "));
    const deleted = rows.filter((r) => r.includes("Audited ") && !r.startsWith("생성됨"));
    assert.equal(created.length, 2, rows.join("\n"));
    assert.equal(deleted.length, 2, rows.join("\n"));
    assert.deepEqual(deleted.sort(), ["삭제됨, name 이전 값: Audited Endpoint | ", "삭제됨, name 이전 값: Audited Provider | "]);
  });

  test("a token's issued row names the client it went to, as Manage Tokens does, not its client ID", async () => {
    const browser = await signIn(server.base);
    const english = (await browser.get("/admin/audit?table=oauth_credential")).html;
    assert.match(english, /issued: Access token, [^<]+ grant, to Issuing Client</);
    assert.ok(!english.includes(issuing.clientId), "the client ID is shown instead of the name");
    browser.setCookie(languageCookie, "ko");
    assert.match((await browser.get("/admin/audit?table=oauth_credential")).html, /issued: Issuing Client에 액세스 토큰 발급/);
  });
});
