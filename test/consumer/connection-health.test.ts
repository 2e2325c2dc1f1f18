import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { saveObtainedToken } from "../../src/store/obtained-token-store.ts";
import { adminBearer, apiCall, recordProvider, signedInBrowser } from "../support/consumer.ts";
import type { FormBrowser } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`a connection's health tells an expired token nothing can renew (${dialect.name})`, () => {
    let consumer: TestInstance;
    let bearer: string;
    let browser: FormBrowser;
    before(async () => {
      consumer = await startTestInstance(dialect);
      bearer = await adminBearer(consumer);
      browser = await signedInBrowser(consumer);
    });
    after(() => consumer.close());

    const hourAgo = () => Date.now() - 3_600_000;
    async function connection(name: string, grant: string, fields: { refreshToken?: string }, obtainedAt: number) {
      const provider = await recordProvider(consumer.instance, { name, client_id: name.toLowerCase().replace(/ /g, "-"), client_secret: "s", token_url: "https://peer.example/oauth_token.do" });
      await saveObtainedToken(consumer.instance.store.db, instanceSecretBox(consumer.instance), provider, grant, { accessToken: `${name} token`, expiresIn: 60, ...fields }, obtainedAt);
      return provider;
    }

    test("expired without a refresh token is 'expired'; one a refresh token or client_credentials renews stays healthy", async () => {
      const stuck = await connection("Stuck", "password", {}, hourAgo());
      const renewable = await connection("Refreshable", "password", { refreshToken: "r" }, hourAgo());
      const machine = await connection("Machine", "client_credentials", {}, hourAgo());
      const fresh = await connection("Fresh", "password", {}, Date.now());

      const listed = await apiCall(consumer, bearer, "GET", "/api/portcullis/connections");
      assert.equal(listed.status, 200);
      const status = Object.fromEntries(listed.body.result.map((c: { name: string; status: string }) => [c.name, c.status]));
      assert.deepEqual(status, { Stuck: "expired", Refreshable: "healthy", Machine: "healthy", Fresh: "healthy" });

      const page = await browser.get(`/admin/providers/${stuck.sysId}`);
      assert.match(page.html, /data-token-status="expired"/);
      assert.match(page.html, /cannot renew it \(no refresh token\): get a new token/);
      for (const ok of [renewable, machine, fresh]) assert.match((await browser.get(`/admin/providers/${ok.sysId}`)).html, /data-token-status="healthy"/);
    });
  });
}
