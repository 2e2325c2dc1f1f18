import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { listProviders } from "../../src/store/provider-store.ts";
import { fieldError, signIn } from "../support/admin.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

describe("a mandatory field (marked *) left empty says the same on every registry form", () => {
  let server: TestInstance;

  before(async () => {
    server = await startTestInstance(dialect!);
  });
  after(() => server?.close());

  test("the endpoint form and the provider form both say \"is mandatory\", and nothing is saved", async () => {
    const browser = await signIn(server.base);
    const before = await tableCounts(server.instance.store);
    const endpoint = await browser.submitForm(await browser.get("/admin/registry/new/client"), "/admin/registry/new/client", { name: "" });
    assert.equal(endpoint.status, 400);
    assert.equal(fieldError(endpoint, "name"), "is mandatory");
    const provider = await browser.submitForm(await browser.get("/admin/registry/new/provider"), "/admin/registry/new/provider", { name: "", client_id: "", client_secret: "", token_url: "https://peer.example/oauth_token.do" });
    assert.equal(provider.status, 400);
    for (const field of ["name", "client_id", "client_secret"]) assert.equal(fieldError(provider, field), "is mandatory", field);
    assert.deepEqual(await tableCounts(server.instance.store), before);
  });

  test("an empty Token URL, on the new provider form and the edit form, says the same \"is mandatory\" in English and Korean, not that it must be a URL", async () => {
    const filled = { name: "Mandatory Token URL", client_id: "peer-client", client_secret: "peer-secret", token_url: "https://peer.example/oauth_token.do" };
    const english = await signIn(server.base);
    const created = await english.submitForm(await english.get("/admin/registry/new/provider"), "/admin/registry/new/provider", filled);
    assert.equal(created.status, 303);
    const provider = (await listProviders(server.instance.store.db)).find((p) => p.name === filled.name)!;
    const edit = `/admin/providers/${provider.sysId}/edit`;
    const korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
    for (const [browser, mandatory] of [[english, "is mandatory"], [korean, "필수 항목입니다"]] as const) {
      const before = await tableCounts(server.instance.store);
      for (const token_url of ["", "  "]) {
        const refused = await browser.submitForm(await browser.get("/admin/registry/new/provider"), "/admin/registry/new/provider", { ...filled, name: "Another provider", token_url });
        assert.equal(refused.status, 400);
        assert.equal(fieldError(refused, "token_url"), mandatory, `new form, token_url ${JSON.stringify(token_url)}`);
        const unchanged = await browser.submitForm(await browser.get(edit), edit, { token_url });
        assert.equal(unchanged.status, 400);
        assert.equal(fieldError(unchanged, "token_url"), mandatory, `edit form, token_url ${JSON.stringify(token_url)}`);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
    }
    assert.deepEqual((await listProviders(server.instance.store.db)).find((p) => p.sysId === provider.sysId), provider, "the edit changed nothing");
  });
});
