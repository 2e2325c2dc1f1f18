import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { writeAudit } from "../../src/store/audit-store.ts";
import { deleteClient, updateClient } from "../../src/store/oauth-entity-store.ts";
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
    assert.ok(rows.includes("Created, Name: Audited Endpoint | "), rows.join("\n"));
    assert.ok(rows.includes("Created, Name: Audited Provider | "), rows.join("\n"));
    assert.ok(rows.includes("Deleted, Name was Audited Endpoint | "), rows.join("\n"));
    assert.ok(rows.includes("Deleted, Name was Audited Provider | "), rows.join("\n"));
  });

  test("in Korean", async () => {
    const browser = await signIn(server.base);
    browser.setCookie(languageCookie, "ko");
    const rows = changesAndReasons((await browser.get("/admin/audit?table=oauth_entity")).html);
    const created = rows.filter((r) => r.startsWith("생성됨, 이름: Audited "));
    const deleted = rows.filter((r) => r.includes("Audited ") && !r.startsWith("생성됨"));
    assert.equal(created.length, 2, rows.join("\n"));
    assert.equal(deleted.length, 2, rows.join("\n"));
    assert.deepEqual(deleted.sort(), ["삭제됨, 이름 이전 값: Audited Endpoint | ", "삭제됨, 이름 이전 값: Audited Provider | "]);
  });

  test("a token's issued row names the client it went to, as Manage Tokens does, not its client ID", async () => {
    const browser = await signIn(server.base);
    const english = (await browser.get("/admin/audit?table=oauth_credential")).html;
    assert.match(english, /Issued: Access token, [^<]+ grant, to Issuing Client</);
    assert.ok(!english.includes(issuing.clientId), "the client ID is shown instead of the name");
    browser.setCookie(languageCookie, "ko");
    assert.match((await browser.get("/admin/audit?table=oauth_credential")).html, /발급: Issuing Client에 액세스 토큰 발급/);
  });
});

/** The User and Change cells of each Audit row, in the order shown. */
function actorsAndChanges(html: string): { actor: string; change: string }[] {
  return [...html.matchAll(/<td class="nowrap">[^<]*<\/td><td class="name">(.*?)<\/td>(?:<td class="name">.*?<\/td>)?<td class="wrap change">([^<]*)<\/td>/g)].map((m) => ({ actor: m[1]!, change: m[2]! }));
}

describe("Audit names a field by its label and an endpoint acting with no user by its name", () => {
  let server: TestInstance;
  let labelled: RegisteredClient;
  let machine: RegisteredClient;
  let gone: RegisteredClient;

  before(async () => {
    server = await startTestInstance(dialect!);
    const db = server.instance.store.db;
    labelled = await registerClient(server.instance, { name: "Labelled Endpoint", access_token_lifespan: 1800 });
    await updateClient(db, labelled.sysId, { access_token_lifespan: 900, redirect_url: ["https://app.example/callback"], active: false }, "admin");
    // A field no catalog names, as a custom table's or an older version's would be.
    await writeAudit(db, [{ tablename: "oauth_entity", documentkey: labelled.sysId, fieldname: "x_legacy_field", newvalue: "kept", user: "admin" }]);
    machine = await registerClient(server.instance, { name: "Machine Client", grant_types: "client_credentials" });
    gone = await registerClient(server.instance, { name: "Gone Client", grant_types: "client_credentials" });
    for (const client of [machine, gone]) {
      const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.status, 200, res.text);
    }
    await deleteClient(db, gone.sysId, "admin");
  });
  after(() => server?.close());

  test("a field reads as the dictionary labels it, in Korean on a Korean page; one no catalog names keeps its column name", async () => {
    const browser = await signIn(server.base);
    const history = `/admin/audit?table=oauth_entity&record=${labelled.sysId}`;
    const english = actorsAndChanges((await browser.get(history)).html).map((r) => r.change);
    assert.ok(english.includes("Access token lifespan: 1800 → 900"), english.join("\n"));
    assert.ok(english.some((c) => c.startsWith("Redirect URL: ")), english.join("\n"));
    assert.ok(english.includes("x_legacy_field: kept"), english.join("\n"));
    // A true/false field reads as one, not as the 1 and 0 the column stored.
    assert.ok(english.includes("Active: Yes → No"), english.join("\n"));
    browser.setCookie(languageCookie, "ko");
    const page = (await browser.get(history)).html;
    const korean = actorsAndChanges(page).map((r) => r.change);
    assert.ok(korean.includes("액세스 토큰 수명: 1800 → 900"), korean.join("\n"));
    assert.ok(korean.some((c) => c.startsWith("리디렉션 URL: ")), korean.join("\n"));
    assert.ok(korean.includes("생성됨, 이름: Labelled Endpoint"), korean.join("\n"));
    assert.ok(korean.includes("x_legacy_field: kept"), korean.join("\n"));
    assert.ok(korean.includes("활성: 예 → 아니요"), korean.join("\n"));
    assert.doesNotMatch(page, /access_token_lifespan|redirect_url:/);
  });

  test("a client-only token's rows name the endpoint, linked to its record, with its client ID beside; a deleted one keeps the row's value", async () => {
    const rows = actorsAndChanges((await (await signIn(server.base)).get("/admin/audit?table=oauth_credential")).html);
    const machineRow = rows.find((r) => r.change.includes("to Machine Client"));
    assert.ok(machineRow, rows.map((r) => `${r.actor} | ${r.change}`).join("\n"));
    assert.equal(machineRow.actor, `<a href="/admin/registry/${machine.sysId}" title="oauth:${machine.clientId}">Machine Client</a><span class="muted small"> · ${machine.clientId}</span>`);
    const goneRow = rows.find((r) => r.change.includes(`to ${gone.clientId}`));
    assert.ok(goneRow, rows.map((r) => `${r.actor} | ${r.change}`).join("\n"));
    assert.equal(goneRow.actor, `oauth:${gone.clientId}`);
  });
});
