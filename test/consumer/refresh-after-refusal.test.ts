import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { refreshRetryMs } from "../../src/consumer/connection-token.ts";
import type { OAuthProvider } from "../../src/domain/oauth-provider.ts";
import { updateClient } from "../../src/store/oauth-entity-store.ts";
import { apiCall, peerAndConsumer, recordProvider } from "../support/consumer.ts";
import { adminPassword } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";

/**
 * The provider deactivates the client (its tokens are revoked, its token requests refused with
 * invalid_client), then activates it again: the connection must not keep failing with the old
 * reason until the token held runs out.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`a 401 refreshes once and retries, also on a connection an earlier refused refresh marked unhealthy (${dialect.name})`, () => {
    const instances = peerAndConsumer(dialect);

    async function connect(grants: string, body: { grant_type: "client_credentials" | "password"; username?: string; password?: string }): Promise<{ client: RegisteredClient; provider: OAuthProvider }> {
      const client = await registerClient(instances.peer.instance, { grant_types: grants });
      const provider = await recordProvider(instances.consumer.instance, { client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do`, default_grant: body.grant_type });
      const got = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/token`, body);
      assert.equal(got.status, 200, got.text);
      return { client, provider };
    }
    const call = (provider: OAuthProvider) => apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
    const entry = async (provider: OAuthProvider) => (await apiCall(instances.consumer, instances.bearer, "GET", connections)).body.result.find((c: { sys_id: string }) => c.sys_id === provider.sysId);
    const issued = async (client: RegisteredClient) => (await instances.peer.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", client.sysId).where("type", "=", "access_token").execute()).length;
    const setActive = (client: RegisteredClient, active: boolean) => updateClient(instances.peer.instance.store.db, client.sysId, { active }, "test");
    /** As if the last refusal had come longer ago than the back-off. */
    const backOffOver = (provider: OAuthProvider) => instances.consumer.instance.store.db.updateTable("oauth_obtained_token").set({ failed_at: Date.now() - refreshRetryMs - 1000 }).where("provider", "=", provider.sysId).execute();

    test("client activated again: within the back-off a call fails with the reason and asks nothing; after it, one refresh, the call goes through and the mark is gone", async () => {
      const { client, provider } = await connect("client_credentials", { grant_type: "client_credentials" });
      await setActive(client, false);
      const refused = await call(provider);
      assert.equal(refused.status, 502, refused.text);
      assert.match(refused.body.error.message, /unhealthy: refresh failed: .*invalid_client.*; the provider had refused the token held \(401\)/);
      const marked = await entry(provider);
      assert.equal(marked.status, "unhealthy");
      assert.match(marked.status_reason, /invalid_client.*; the provider had refused the token held/);

      await setActive(client, true);
      const before = await issued(client);
      // Refused moments ago: the provider is not asked again yet.
      const soon = await call(provider);
      assert.equal(soon.status, 502, soon.text);
      assert.match(soon.body.error.message, /invalid_client/);
      assert.equal(await issued(client), before, "no token request within the back-off");

      await backOffOver(provider);
      const later = await call(provider);
      assert.equal(later.status, 200, later.text);
      assert.equal(later.body.result.status, 200);
      assert.equal(later.body.result.body.result.client_id, client.clientId);
      assert.equal(await issued(client), before + 1, "exactly one new token");
      const healed = await entry(provider);
      assert.deepEqual([healed.status, healed.status_reason, healed.failed_at], ["healthy", "", ""]);
    });

    test("a different refusal on the retry replaces the reason and the time", async () => {
      const { client, provider } = await connect("password,refresh_token", { grant_type: "password", username: "admin", password: adminPassword });
      await setActive(client, false);
      assert.equal((await call(provider)).status, 502);
      const first = await entry(provider);
      assert.match(first.status_reason, /invalid_client/);

      // Activated again, but its deactivation revoked the refresh token too: the retry is refused for that now.
      await setActive(client, true);
      await backOffOver(provider);
      const again = await call(provider);
      assert.equal(again.status, 502, again.text);
      assert.match(again.body.error.message, /refresh failed: .*invalid_grant/);
      const second = await entry(provider);
      assert.equal(second.status, "unhealthy");
      assert.match(second.status_reason, /invalid_grant/);
      assert.doesNotMatch(second.status_reason, /invalid_client/);
      assert.ok(Date.parse(second.failed_at) > Date.now() - refreshRetryMs, `failed_at ${second.failed_at} is the retry's`);
    });
  });
}
