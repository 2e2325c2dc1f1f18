import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { newSecret, sha256 } from "../../src/domain/secrets.ts";
import { tokenLookupKey } from "../../src/domain/token-value.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`client_credentials grant (RFC 6749 §4.4) on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    let token: string;
    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { grant_types: ["client_credentials"], access_token_lifespan: 600 });
      token = `${server.base}/oauth_token.do`;
    });
    after(() => server.close());

    test("issues a bearer token to a client authenticated with HTTP Basic, without a refresh token", async () => {
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(res.body.token_type, "Bearer");
      assert.equal(res.body.scope, "useraccount");
      assert.equal(res.body.expires_in, 599);
      assert.equal(res.body.refresh_token, undefined);
      assert.match(res.body.access_token, /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/);
    });

    test("accepts the client credentials in the body (client_secret_post)", async () => {
      const res = await postForm(token, { grant_type: "client_credentials", client_id: client.clientId, client_secret: client.secret });
      assert.equal(res.status, 200);
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
      assert.equal(who.status, 200);
      assert.equal(who.body.result.client_id, client.clientId);
      assert.equal(who.body.result.user_name, "");
    });

    test("stores only the hash of the token", async () => {
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      const rows = await server.instance.store.db.selectFrom("oauth_credential").select("token_hash").execute();
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.token_hash !== res.body.access_token && /^[0-9a-f]{64}$/.test(r.token_hash)));
    });

    test("a token issued in the earlier format (43 characters, stored under its full SHA-256) still opens the API and can be revoked", async () => {
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      const db = server.instance.store.db;
      const row = await db.selectFrom("oauth_credential").select("sys_id").where("token_hash", "=", tokenLookupKey(res.body.access_token)).executeTakeFirstOrThrow();
      const legacy = newSecret();
      await db.updateTable("oauth_credential").set({ token_hash: sha256(legacy) }).where("sys_id", "=", row.sys_id).execute();
      const whoami = `${server.base}/api/now/v1/whoami`;
      assert.equal((await http(whoami, { headers: { authorization: `Bearer ${legacy}` } })).status, 200);
      assert.equal((await http(whoami, { headers: { authorization: `Bearer ${res.body.access_token}` } })).status, 401);
      const revoked = await postForm(`${server.base}/oauth_revoke_token.do`, { token: legacy }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(revoked.status, 200);
      assert.equal((await http(whoami, { headers: { authorization: `Bearer ${legacy}` } })).status, 401);
    });

    test("a wrong secret is invalid_client with 401 and a Basic challenge, and writes nothing", async () => {
      const before = await tableCounts(server.instance.store);
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, `${client.secret}x`) });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, "invalid_client");
      assert.match(res.headers.get("www-authenticate") ?? "", /^Basic /);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("a wrong secret in the body is invalid_client without a Basic challenge", async () => {
      const res = await postForm(token, { grant_type: "client_credentials", client_id: client.clientId, client_secret: "nope" });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, "invalid_client");
      assert.equal(res.headers.get("www-authenticate"), null);
    });

    test("an unknown client is invalid_client", async () => {
      const res = await postForm(token, { grant_type: "client_credentials", client_id: "0".repeat(32), client_secret: "x" });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, "invalid_client");
    });

    test("two authentication methods at once are invalid_request", async () => {
      const res = await postForm(token, { grant_type: "client_credentials", client_secret: client.secret }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "invalid_request");
    });

    test("a client not allowed the grant is unauthorized_client", async () => {
      const other = await registerClient(server.instance, { grant_types: ["authorization_code"] });
      const before = await tableCounts(server.instance.store);
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(other.clientId, other.secret) });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "unauthorized_client");
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("an inactive client is invalid_client and its live tokens stop working at once", async () => {
      const victim = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      const issued = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(victim.clientId, victim.secret) });
      const { updateClient } = await import("../../src/store/oauth-entity-store.ts");
      await updateClient(server.instance.store.db, victim.clientId, { active: false }, "test");
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(victim.clientId, victim.secret) });
      assert.equal(res.body.error, "invalid_client");
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal(who.status, 401);
    });

    test("acts as the user the client record names", async () => {
      const named = await registerClient(server.instance, { grant_types: ["client_credentials"], client_credentials_user: "admin" });
      const res = await postForm(token, { grant_type: "client_credentials" }, { authorization: basic(named.clientId, named.secret) });
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
      assert.equal(who.body.result.user_name, "admin");
      assert.equal(who.body.result.roles, "admin");
    });

    test("an unknown scope is invalid_scope", async () => {
      const res = await postForm(token, { grant_type: "client_credentials", scope: "everything" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "invalid_scope");
    });

    test("a public client cannot use client_credentials", async () => {
      const { ValidationError } = await import("../../src/domain/validation.ts");
      await assert.rejects(registerClient(server.instance, { public_client: true, grant_types: ["client_credentials"] }), ValidationError);
    });
  });
}
