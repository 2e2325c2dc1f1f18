import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, test } from "node:test";
import { accessTokenFor } from "../../src/consumer/connection-token.ts";
import { callProvider } from "../../src/consumer/outbound-call.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import type { OAuthProvider } from "../../src/domain/oauth-provider.ts";
import { parseProviderCreate } from "../../src/domain/oauth-provider.ts";
import { createProvider } from "../../src/store/provider-store.ts";
import { regenerateClientSecret } from "../../src/store/oauth-entity-store.ts";
import { readObtainedToken, saveObtainedToken, tryTakeRefreshLease } from "../../src/store/obtained-token-store.ts";
import { FormBrowser } from "../support/browser.ts";
import { apiCall, peerAndConsumer, recordProvider, signedInBrowser } from "../support/consumer.ts";
import { adminPassword } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";

for (const dialect of dialectsUnderTest()) {
  describe(`consumer against another Portcullis instance on ${dialect.name}`, () => {
    const instances = peerAndConsumer(dialect);

    /** Tokens the peer issued to a client, and how many refresh tokens were exchanged. */
    async function peerCounts(client: RegisteredClient) {
      const rows = await instances.peer.instance.store.db.selectFrom("oauth_credential").select(["type", "rotated_at"]).where("client", "=", client.sysId).execute();
      return { access: rows.filter((r) => r.type === "access_token").length, refreshed: rows.filter((r) => r.rotated_at !== null).length };
    }

    async function passwordConnection(): Promise<{ client: RegisteredClient; provider: OAuthProvider }> {
      const client = await registerClient(instances.peer.instance, { grant_types: "password,refresh_token" });
      const provider = await recordProvider(instances.consumer.instance, { client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do`, default_grant: "password", credential_style: "body" });
      const got = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/token`, { username: "admin", password: adminPassword });
      assert.equal(got.status, 200, got.text);
      return { client, provider };
    }

    /** As if the token had been obtained an hour ago and expired in a second: within the refresh skew. */
    async function expireSoon(provider: OAuthProvider) {
      await instances.consumer.instance.store.db.updateTable("oauth_obtained_token").set({ obtained_at: Date.now() - 3_600_000, expires_at: Date.now() + 1000 }).where("provider", "=", provider.sysId).execute();
    }

    test("client_credentials: token without a browser, then a call with it (Basic credentials)", async () => {
      const client = await registerClient(instances.peer.instance, { grant_types: "client_credentials" });
      const provider = await recordProvider(instances.consumer.instance, { name: "Peer CC", client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do` });
      const got = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${encodeURIComponent("Peer CC")}/token`, {});
      assert.equal(got.status, 200, got.text);
      assert.equal(got.body.result.status, "healthy");
      const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      assert.equal(call.status, 200, call.text);
      assert.equal(call.body.result.status, 200);
      assert.equal(call.body.result.body.result.client_id, client.clientId);
    });

    test("password grant, then the call acts as the peer's user", async () => {
      const { provider } = await passwordConnection();
      const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      assert.equal(call.body.result.body.result.user_name, "admin");
    });

    test("authorization_code: PKCE and a state bound to the admin's session; state is single-use", async () => {
      const client = await registerClient(instances.peer.instance, { redirect_url: `${instances.consumer.instance.config.publicUrl}/oauth_redirect.do` });
      const provider = await recordProvider(instances.consumer.instance, {
        client_id: client.clientId,
        client_secret: client.secret,
        authorization_url: `${instances.peer.base}/oauth_auth.do`,
        token_url: `${instances.peer.base}/oauth_token.do`,
        default_grant: "authorization_code",
      });
      // Two hosts, two cookie jars, as a browser keeps them.
      const atConsumer = await signedInBrowser(instances.consumer);
      const start = await atConsumer.get(`${connections}/${provider.sysId}/authorize`);
      assert.equal(start.status, 303, start.html);
      const authorize = new URL(start.location!);
      assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
      assert.ok(authorize.searchParams.get("state"));
      const atPeer = new FormBrowser(instances.peer.base);
      const login = await atPeer.get(authorize.pathname + authorize.search);
      const consentLocation = (await atPeer.submit(login, { user_name: "admin", user_password: adminPassword })).location!;
      const allowed = await atPeer.submit(await atPeer.get(consentLocation), { action: "allow" });
      const back = new URL(allowed.location!);
      assert.equal(`${back.origin}${back.pathname}`, `${instances.consumer.instance.config.publicUrl}/oauth_redirect.do`);

      // Another admin session (or none) cannot redeem this state.
      const stranger = await signedInBrowser(instances.consumer);
      assert.equal((await stranger.get(back.pathname + back.search)).status, 400);
      const signedOut = await new FormBrowser(instances.consumer.base).get(back.pathname + back.search);
      assert.equal(signedOut.status, 401);
      assert.match(signedOut.html, /<a href="\/\?next=%2Fadmin%2Fregistry">Sign in<\/a>/, "the refusal leads to the sign-in page");
      const startSignedOut = await new FormBrowser(instances.consumer.base).get(`${connections}/${provider.sysId}/authorize`);
      assert.equal(startSignedOut.status, 401);
      assert.match(startSignedOut.html, /<a href="\/\?next=%2Fadmin%2Fregistry">Sign in<\/a>/);

      const landed = await atConsumer.get(back.pathname + back.search);
      assert.equal(landed.status, 200, landed.html);
      assert.match(landed.html, /Connected to/);
      assert.ok(landed.html.includes(`<a href="/admin/providers/${provider.sysId}">Back to ${provider.name}</a>`), "the page leads back to the record");
      const replay = await atConsumer.get(back.pathname + back.search);
      assert.equal(replay.status, 400);

      const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      assert.equal(call.body.result.body.result.user_name, "admin");
      assert.equal(call.body.result.body.result.client_id, client.clientId);
    });

    test("authorization_code sends the instance's own redirect URL, even when the record stored another (a CLI run without --public-url)", async () => {
      const own = `${instances.consumer.instance.config.publicUrl}/oauth_redirect.do`;
      const client = await registerClient(instances.peer.instance, { redirect_url: own });
      const settings = parseProviderCreate({ name: "Stale redirect", client_id: client.clientId, client_secret: client.secret, authorization_url: `${instances.peer.base}/oauth_auth.do`, token_url: `${instances.peer.base}/oauth_token.do`, default_grant: "authorization_code" });
      const provider = await createProvider(instances.consumer.instance.store.db, instanceSecretBox(instances.consumer.instance), settings, "http://127.0.0.1:8080/oauth_redirect.do", "test");
      const atConsumer = await signedInBrowser(instances.consumer);
      const start = await atConsumer.get(`${connections}/${provider.sysId}/authorize`);
      assert.equal(new URL(start.location!).searchParams.get("redirect_uri"), own);
      const page = await atConsumer.get(`/admin/providers/${provider.sysId}`);
      assert.ok(page.html.includes(own) && !page.html.includes("127.0.0.1:8080"), "the record's page shows the URL the flow sends");
    });

    test("a token that lives no longer than the refresh skew (the peer's shortest, 60 s) is refreshed at half its life, not before every call", async () => {
      const client = await registerClient(instances.peer.instance, { grant_types: "password,refresh_token", access_token_lifespan: 60 });
      const provider = await recordProvider(instances.consumer.instance, { client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do`, default_grant: "password" });
      assert.equal((await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/token`, { username: "admin", password: adminPassword })).status, 200);
      for (let i = 0; i < 3; i++) {
        const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
        assert.equal(call.body.result.status, 200, call.text);
      }
      assert.deepEqual(await peerCounts(client), { access: 1, refreshed: 0 });
      // Past half its life it is refreshed, once.
      await instances.consumer.instance.store.db.updateTable("oauth_obtained_token").set({ obtained_at: Date.now() - 31_000, expires_at: Date.now() + 29_000 }).where("provider", "=", provider.sysId).execute();
      for (let i = 0; i < 2; i++) await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      assert.deepEqual(await peerCounts(client), { access: 2, refreshed: 1 });
    });

    test("a token about to expire is refreshed before the call", async () => {
      const { client, provider } = await passwordConnection();
      const before = await peerCounts(client);
      await expireSoon(provider);
      const result = await callProvider(instances.consumer.instance, provider, { method: "GET", path: "/api/now/v1/whoami" });
      assert.equal(result.status, 200);
      const afterCounts = await peerCounts(client);
      assert.equal(afterCounts.refreshed - before.refreshed, 1);
      const stored = await readObtainedToken(instances.consumer.instance.store.db, instanceSecretBox(instances.consumer.instance), provider.sysId);
      assert.ok(stored!.expiresAt! > Date.now() + 60_000);
    });

    test("a refreshed token still says which grant it came from (the page said Client Credentials for a password token once refreshed)", async () => {
      const { provider } = await passwordConnection();
      await expireSoon(provider);
      assert.equal((await callProvider(instances.consumer.instance, provider, { method: "GET", path: "/api/now/v1/whoami" })).status, 200);
      const entry = (await apiCall(instances.consumer, instances.bearer, "GET", connections)).body.result.find((c: { sys_id: string }) => c.sys_id === provider.sysId);
      assert.equal(entry.grant_type, "password");
      const page = await (await signedInBrowser(instances.consumer)).get(`/admin/providers/${provider.sysId}`);
      assert.match(page.html, /<dt>Obtained with<\/dt><dd>Resource owner password credentials<\/dd>/);
    });

    test("a token an earlier version stored as grant refresh_token is shown as not recorded, not as Client Credentials", async () => {
      const { provider } = await passwordConnection();
      await instances.consumer.instance.store.db.updateTable("oauth_obtained_token").set({ grant_type: "refresh_token" }).where("provider", "=", provider.sysId).execute();
      const page = await (await signedInBrowser(instances.consumer)).get(`/admin/providers/${provider.sysId}`);
      assert.match(page.html, /<dt>Obtained with<\/dt><dd>Not recorded \(the token was refreshed by an earlier version\)<\/dd>/);
    });

    test("50 concurrent calls on an expiring token: exactly one refresh reaches the provider", async () => {
      const { client, provider } = await passwordConnection();
      await expireSoon(provider);
      const before = await peerCounts(client);
      const results = await Promise.all(Array.from({ length: 50 }, () => apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" })));
      for (const r of results) assert.equal(r.body.result?.status, 200, r.text);
      const afterCounts = await peerCounts(client);
      assert.equal(afterCounts.refreshed - before.refreshed, 1);
      assert.equal(afterCounts.access - before.access, 1);
    });

    test("while another node holds the refresh lease, a caller waits for its token instead of refreshing", async () => {
      const { client, provider } = await passwordConnection();
      await expireSoon(provider);
      const before = await peerCounts(client);
      const db = instances.consumer.instance.store.db;
      assert.ok(await tryTakeRefreshLease(db, provider.sysId, "other-node", 30_000));
      const waiting = accessTokenFor(instances.consumer.instance, provider);
      await new Promise((r) => setTimeout(r, 300));
      // The other node finishes: a new generation appears and its lease goes.
      await saveObtainedToken(db, instanceSecretBox(instances.consumer.instance), provider, "refresh_token", { accessToken: "from-the-other-node", expiresIn: 3600 });
      assert.equal(await waiting, "from-the-other-node");
      assert.deepEqual(await peerCounts(client), before);
    });

    test("a 401 from the provider: one refresh, then the call is retried", async () => {
      const { client, provider } = await passwordConnection();
      await instances.peer.instance.store.db.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("client", "=", client.sysId).where("type", "=", "access_token").execute();
      const before = await peerCounts(client);
      const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      assert.equal(call.body.result.status, 200, call.text);
      assert.equal((await peerCounts(client)).refreshed - before.refreshed, 1);
    });

    test("a refresh the provider refuses marks the connection unhealthy and says why", async () => {
      const { client, provider } = await passwordConnection();
      await instances.peer.instance.store.db.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("client", "=", client.sysId).execute();
      await expireSoon(provider);
      const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      assert.equal(call.status, 502);
      assert.match(call.body.error.message, /unhealthy: refresh failed: .*invalid_grant/);
      const list = await apiCall(instances.consumer, instances.bearer, "GET", connections);
      const entry = list.body.result.find((c: { sys_id: string }) => c.sys_id === provider.sysId);
      assert.equal(entry.status, "unhealthy");
      assert.match(entry.status_reason, /invalid_grant/);
    });

    test("an early refresh that fails (the peer rotated the client's secret) still calls with the token that has not expired, and says the connection is unhealthy", async () => {
      const { client, provider } = await passwordConnection();
      await regenerateClientSecret(instances.peer.instance.store.db, client.sysId, "test");
      await expireSoon(provider);
      const call = () => apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/now/v1/whoami" });
      const early = await call();
      assert.equal(early.status, 200, early.text);
      assert.equal(early.body.result.body.result.user_name, "admin", "the call went through with the token still good");
      const entry = (await apiCall(instances.consumer, instances.bearer, "GET", connections)).body.result.find((c: { sys_id: string }) => c.sys_id === provider.sysId);
      assert.equal(entry.status, "unhealthy");
      assert.match(entry.status_reason, /refresh failed: .*invalid_client/);
      // Once it has expired there is nothing to fall back on.
      await instances.consumer.instance.store.db.updateTable("oauth_obtained_token").set({ expires_at: Date.now() - 1 }).where("provider", "=", provider.sysId).execute();
      const late = await call();
      assert.equal(late.status, 502, late.text);
      assert.match(late.body.error.message, /unhealthy: refresh failed: .*invalid_client/);
    });

    test("only admins may use the connection APIs, and calls stay on the provider's origin", async () => {
      const { provider } = await passwordConnection();
      const none = await apiCall(instances.consumer, "", "GET", connections);
      assert.equal(none.status, 401);
      const ccClient = await registerClient(instances.consumer.instance, { grant_types: "client_credentials" });
      const tokenRes = await fetch(`${instances.consumer.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "client_credentials", client_id: ccClient.clientId, client_secret: ccClient.secret }) });
      const notAdmin = (await tokenRes.json()).access_token as string;
      assert.equal((await apiCall(instances.consumer, notAdmin, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/" })).status, 403);
      for (const path of ["//evil.example/x", "http://evil.example/", "relative"]) {
        const res = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path });
        assert.equal(res.status, 400, path);
      }
      assert.equal((await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/nope/call`, { method: "GET", path: "/" })).status, 404);
      assert.equal((await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "TRACE", path: "/" })).status, 400);
    });

    test("no client secret or obtained token is stored in plaintext, and none is readable back", async () => {
      const { client, provider } = await passwordConnection();
      const box = instanceSecretBox(instances.consumer.instance);
      const token = await readObtainedToken(instances.consumer.instance.store.db, box, provider.sysId);
      const secrets = [client.secret, token!.accessToken!, token!.refreshToken!];
      const db = instances.consumer.instance.store.db;
      let dump = "";
      for (const table of ["oauth_entity", "oauth_provider_settings", "oauth_obtained_token", "oauth_consumer_state", "sys_audit"] as const) {
        dump += JSON.stringify(await db.selectFrom(table).selectAll().execute());
      }
      assert.ok(dump.includes(client.clientId));
      for (const secret of secrets) assert.ok(!dump.includes(secret), "a secret appears in the database");
      if (instances.consumer.instance.store.dialect === "sqlite") {
        for (const file of [instances.consumer.instance.store.location, `${instances.consumer.instance.store.location}-wal`].filter((f) => fs.existsSync(f))) {
          const bytes = fs.readFileSync(file).toString("latin1");
          for (const secret of secrets) assert.ok(!bytes.includes(secret), `a secret appears in ${file}`);
        }
      }
      const list = await apiCall(instances.consumer, instances.bearer, "GET", connections);
      for (const secret of secrets) assert.ok(!list.text.includes(secret));
    });
  });
}
