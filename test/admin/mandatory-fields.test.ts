import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
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
});
