import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { readObtainedToken } from "../../src/store/obtained-token-store.ts";
import { apiCall, peerAndConsumer, recordProvider } from "../support/consumer.ts";
import { adminPassword } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";
const providers = "/api/portcullis/registry/providers";

for (const dialect of dialectsUnderTest()) {
  describe(`deleting a provider revokes its tokens at the provider (RFC 7009) on ${dialect.name}`, () => {
    const instances = peerAndConsumer(dialect);

    /** A password connection to the peer (an access and a refresh token), recorded with this revocation URL. */
    async function connection(name: string, revocationUrl: string) {
      const client = await registerClient(instances.peer.instance, { grant_types: "password,refresh_token" });
      const provider = await recordProvider(instances.consumer.instance, { name, client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do`, revocation_url: revocationUrl, default_grant: "password", credential_style: "body" });
      const got = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/token`, { username: "admin", password: adminPassword });
      assert.equal(got.status, 200, got.text);
      const stored = await readObtainedToken(instances.consumer.instance.store.db, instanceSecretBox(instances.consumer.instance), provider.sysId);
      assert.ok(stored?.accessToken && stored.refreshToken);
      return { client, provider, accessToken: stored.accessToken, refreshToken: stored.refreshToken };
    }
    const whoami = (token: string) => fetch(`${instances.peer.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    const deletionAudit = (sysId: string) => instances.consumer.instance.store.db.selectFrom("sys_audit").select(["reason", "oldvalue"]).where("documentkey", "=", sysId).where("reason", "like", "deleted provider%").executeTakeFirst();

    test("the access and refresh tokens stop working at the provider, then the record goes", async () => {
      const { client, provider, accessToken, refreshToken } = await connection("Revoking", `${instances.peer.base}/oauth_revoke_token.do`);
      assert.equal(await whoami(accessToken), 200);
      const deleted = await apiCall(instances.consumer, instances.bearer, "DELETE", `${providers}/${provider.sysId}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.headers.get("portcullis-revocation"), "revoked");
      assert.equal(await whoami(accessToken), 401);
      const refresh = await fetch(`${instances.peer.base}/oauth_token.do`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: client.clientId, client_secret: client.secret }) });
      assert.equal(refresh.status, 400);
      assert.equal(((await refresh.json()) as { error: string }).error, "invalid_grant");
      assert.equal((await apiCall(instances.consumer, instances.bearer, "GET", `${providers}/${provider.sysId}`)).status, 404);
      assert.equal((await deletionAudit(provider.sysId))?.reason, "deleted provider; tokens revoked at the provider");
      assert.equal((await deletionAudit(provider.sysId))?.oldvalue, "Revoking", "the audit row names what was deleted");
    });

    test("a provider that refuses: the record is deleted all the same and the refusal reported", async () => {
      const { provider, accessToken } = await connection("Refusing", `${instances.peer.base}/no/such/revocation`);
      const deleted = await apiCall(instances.consumer, instances.bearer, "DELETE", `${providers}/${provider.sysId}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.headers.get("portcullis-revocation"), "failed");
      assert.equal((await apiCall(instances.consumer, instances.bearer, "GET", `${providers}/${provider.sysId}`)).status, 404);
      assert.match(String((await deletionAudit(provider.sysId))?.reason), /^deleted provider; revocation at the provider failed: the revocation endpoint answered 404/);
      assert.equal(await whoami(accessToken), 200, "the token is still valid there: the operator was told to revoke it by hand");
    });

    test("without a revocation URL nothing is sent and the token stays valid at the provider", async () => {
      const { provider, accessToken } = await connection("Silent", "");
      const deleted = await apiCall(instances.consumer, instances.bearer, "DELETE", `${providers}/${provider.sysId}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.headers.get("portcullis-revocation"), "none");
      assert.equal(await whoami(accessToken), 200);
    });
  });
}
