import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`revocation (RFC 7009), introspection (RFC 7662) and metadata (RFC 8414) on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    const auth = () => ({ authorization: basic(client.clientId, client.secret) });
    const pair = async () => (await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, auth())).body;
    const whoami = (access: string) => http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${access}` } });

    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { grant_types: ["password", "refresh_token", "client_credentials"] });
    });
    after(() => server.close());

    test("revoking an access token ends it, and only it", async () => {
      const tokens = await pair();
      const res = await postForm(`${server.base}/oauth_revoke_token.do`, { token: tokens.access_token, token_type_hint: "access_token" }, auth());
      assert.equal(res.status, 200);
      assert.equal((await whoami(tokens.access_token)).status, 401);
      const refreshed = await postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth());
      assert.equal(refreshed.status, 200);
    });

    test("revoking a refresh token also revokes its access tokens", async () => {
      const tokens = await pair();
      await postForm(`${server.base}/oauth_revoke_token.do`, { token: tokens.refresh_token }, auth());
      assert.equal((await whoami(tokens.access_token)).status, 401);
      const refreshed = await postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth());
      assert.equal(refreshed.body.error, "invalid_grant");
    });

    test("an unknown token answers 200", async () => {
      const res = await postForm(`${server.base}/oauth_revoke_token.do`, { token: "not-a-token" }, auth());
      assert.equal(res.status, 200);
    });

    test("another confidential client is told it cannot revoke a token it does not hold, and the token lives", async () => {
      const tokens = await pair();
      const other = await registerClient(server.instance, {});
      for (const token of [tokens.access_token, tokens.refresh_token]) {
        const res = await postForm(`${server.base}/oauth_revoke_token.do`, { token }, { authorization: basic(other.clientId, other.secret) });
        assert.equal(res.status, 400);
        assert.equal(res.body.error, "invalid_request");
        assert.match(res.body.error_description, /not authorized to revoke/);
      }
      assert.equal((await whoami(tokens.access_token)).status, 200);
      const refreshed = await postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth());
      assert.equal(refreshed.status, 200);
    });

    test("a public client presenting another client's token gets the unknown token's 200, and the token lives", async () => {
      const tokens = await pair();
      const pub = await registerClient(server.instance, { public_client: true, redirect_url: "http://127.0.0.1/cb" });
      const res = await postForm(`${server.base}/oauth_revoke_token.do`, { token: tokens.access_token, client_id: pub.clientId });
      assert.equal(res.status, 200);
      assert.equal((await whoami(tokens.access_token)).status, 200);
    });

    test("revocation requires client authentication", async () => {
      const res = await postForm(`${server.base}/oauth_revoke_token.do`, { token: "x" });
      assert.equal(res.status, 401);
      assert.equal(res.body.error, "invalid_client");
    });

    test("revocation authenticates the client before it judges repeated parameters", async () => {
      for (const [body, headers] of [["token=a&token=b", {}], ["token=a&token=b", { authorization: basic(client.clientId, "wrong") }], ["client_id=nobody&token=a&token=b", {}]] as const) {
        const res = await postForm(`${server.base}/oauth_revoke_token.do`, body, headers);
        assert.equal(res.status, 401, body);
        assert.equal(res.body.error, "invalid_client", `${body}: not told about the repeated token`);
      }
      const authenticated = await postForm(`${server.base}/oauth_revoke_token.do`, "token=a&token=b", auth());
      assert.equal(authenticated.status, 400);
      assert.match(authenticated.body.error_description, /token was sent more than once/);
    });

    test("introspection describes a live token to its client", async () => {
      const tokens = await pair();
      const res = await postForm(`${server.base}/oauth_introspect`, { token: tokens.access_token }, auth());
      assert.equal(res.status, 200);
      assert.equal(res.body.active, true);
      assert.equal(res.body.client_id, client.clientId);
      assert.equal(res.body.username, "admin");
      assert.equal(res.body.scope, "useraccount");
      assert.equal(res.body.token_type, "Bearer");
      assert.ok(res.body.exp > Date.now() / 1000);
    });

    test("introspection of a refresh token describes it without an access token's token_type", async () => {
      const tokens = await pair();
      const res = await postForm(`${server.base}/oauth_introspect`, { token: tokens.refresh_token, token_type_hint: "refresh_token" }, auth());
      assert.equal(res.status, 200);
      assert.equal(res.body.active, true);
      assert.equal(res.body.client_id, client.clientId);
      assert.equal(res.body.username, "admin");
      assert.equal("token_type" in res.body, false, JSON.stringify(res.body));
    });

    test("introspection of a revoked, unknown or foreign token is just active: false", async () => {
      const tokens = await pair();
      await postForm(`${server.base}/oauth_revoke_token.do`, { token: tokens.access_token }, auth());
      assert.deepEqual((await postForm(`${server.base}/oauth_introspect`, { token: tokens.access_token }, auth())).body, { active: false });
      assert.deepEqual((await postForm(`${server.base}/oauth_introspect`, { token: "nope" }, auth())).body, { active: false });
      const other = await registerClient(server.instance, {});
      const live = await pair();
      assert.deepEqual((await postForm(`${server.base}/oauth_introspect`, { token: live.access_token }, { authorization: basic(other.clientId, other.secret) })).body, { active: false });
    });

    test("a public client cannot pass for a confidential one by sending any secret", async () => {
      const pub = await registerClient(server.instance, { public_client: true, redirect_url: "http://127.0.0.1/cb" });
      for (const secret of ["portcullis-decoy-secret", "", "x"]) {
        const res = await postForm(`${server.base}/oauth_introspect`, { token: "x", client_id: pub.clientId, client_secret: secret });
        assert.equal(res.status, 401, secret);
        assert.equal(res.body.error, "invalid_client");
      }
    });

    test("introspection requires client authentication", async () => {
      const res = await postForm(`${server.base}/oauth_introspect`, { token: "x" });
      assert.equal(res.status, 401);
    });

    test("a public client is refused before its request is read, and challenged when it tried HTTP Basic (RFC 7662 §2.1, RFC 6749 §5.2)", async () => {
      const pub = await registerClient(server.instance, { public_client: true, redirect_url: "http://127.0.0.1/cb" });
      const inBasic = await postForm(`${server.base}/oauth_introspect`, { token: "x" }, { authorization: basic(pub.clientId, "") });
      assert.equal(inBasic.status, 401);
      assert.equal(inBasic.body.error, "invalid_client");
      assert.equal(inBasic.headers.get("www-authenticate"), 'Basic realm="portcullis"');
      for (const body of [`client_id=${pub.clientId}`, `client_id=${pub.clientId}&token=a&token=b`]) {
        const res = await postForm(`${server.base}/oauth_introspect`, body);
        assert.equal(res.status, 401, body);
        assert.equal(res.body.error, "invalid_client", `${body}: not told about the token parameter`);
        assert.equal(res.headers.get("www-authenticate"), null, "no Authorization header was tried");
      }
      const unknownWithoutToken = await postForm(`${server.base}/oauth_introspect`, { client_id: "nobody" });
      assert.equal(unknownWithoutToken.body.error, "invalid_client");
      const confidentialWithoutToken = await postForm(`${server.base}/oauth_introspect`, {}, auth());
      assert.equal(confidentialWithoutToken.status, 400);
      assert.match(confidentialWithoutToken.body.error_description, /token parameter is required/);
    });

    test("metadata lists exactly what is supported, with the configured issuer", async () => {
      const res = await http(`${server.base}/.well-known/oauth-authorization-server`);
      assert.equal(res.status, 200);
      assert.equal(res.body.issuer, server.base);
      assert.equal(res.body.token_endpoint, `${server.base}/oauth_token.do`);
      assert.equal(res.body.authorization_endpoint, `${server.base}/oauth_auth.do`);
      assert.equal(res.body.revocation_endpoint, `${server.base}/oauth_revoke_token.do`);
      assert.equal(res.body.introspection_endpoint, `${server.base}/oauth_introspect`);
      assert.deepEqual(res.body.code_challenge_methods_supported, ["S256"]);
      assert.deepEqual(res.body.response_types_supported, ["code"]);
      assert.deepEqual(res.body.grant_types_supported.sort(), ["authorization_code", "client_credentials", "password", "refresh_token"]);
      assert.equal(res.body.authorization_response_iss_parameter_supported, true);
    });

    test("metadata ignores the Host header", async () => {
      const res = await http(`${server.base}/.well-known/oauth-authorization-server`, { headers: { host: "evil.example" } });
      assert.equal(res.body.issuer, server.base);
    });
  });
}
