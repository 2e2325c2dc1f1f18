import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as oidc from "openid-client";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword } from "../support/instance.ts";
import { http, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type HttpsInstance, startHttpsInstance } from "./compat-support.ts";

const redirectUri = "https://app.example/callback";

/**
 * panva's openid-client (v6), the Node client the README names, driven as its documentation
 * shows: RFC 8414 discovery, then each grant, revocation and introspection through its own
 * functions, over https verified against the development CA. Portcullis is an OAuth 2
 * authorization server, not an OpenID provider, so discovery asks for `algorithm: "oauth2"`.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`openid-client on ${dialect.name}: discovery, the grants, revocation and introspection`, () => {
    let https: HttpsInstance;
    let client: RegisteredClient;
    let config: oidc.Configuration;
    before(async () => {
      https = await startHttpsInstance(dialect);
      client = await registerClient(https.server.instance, { redirect_url: redirectUri, grant_types: ["authorization_code", "refresh_token", "client_credentials"] });
      config = await oidc.discovery(new URL(https.server.base), client.clientId, client.secret, oidc.ClientSecretBasic(client.secret), { algorithm: "oauth2" });
    });
    after(() => https.close());

    const whoami = async (access: string) => (await http(`${https.server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${access}` } })).status;

    test("discovery finds the issuer and the platform's endpoints", () => {
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, https.server.base);
      assert.equal(metadata.token_endpoint, `${https.server.base}/oauth_token.do`);
      assert.equal(metadata.authorization_endpoint, `${https.server.base}/oauth_auth.do`);
      assert.ok(metadata.supportsPKCE("S256"));
    });

    test("client_credentials gives a token the Table API takes", async () => {
      const tokens = await oidc.clientCredentialsGrant(config);
      assert.equal(tokens.token_type?.toLowerCase(), "bearer");
      assert.equal(await whoami(tokens.access_token), 200);
    });

    test("authorization code with PKCE and state, refresh rotation, introspection and revocation", async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const authorizationUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: "useraccount", code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256", state });
      const browser = new FormBrowser(https.server.base);
      const login = await browser.get(`${authorizationUrl.pathname}${authorizationUrl.search}`);
      assert.equal(login.status, 200, login.html);
      const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
      const allowed = await browser.submit(consent, { action: "allow" });
      assert.equal(allowed.status, 303);
      // openid-client checks state and RFC 9207's iss on the redirect before it exchanges the code.
      const tokens = await oidc.authorizationCodeGrant(config, new URL(allowed.location!), { pkceCodeVerifier: verifier, expectedState: state });
      assert.ok(tokens.refresh_token);
      assert.equal(await whoami(tokens.access_token), 200);

      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.client_id, client.clientId);
      assert.equal(introspected.username, "admin");

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
      assert.equal(await whoami(refreshed.access_token), 200);

      await oidc.tokenRevocation(config, refreshed.refresh_token!);
      assert.equal(await whoami(refreshed.access_token), 401);
      assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);
    });

    test("an unknown refresh token is refused with invalid_grant, which openid-client raises as the server's error", async () => {
      const tokens = await oidc.clientCredentialsGrant(config);
      await assert.rejects(oidc.refreshTokenGrant(config, `${tokens.access_token}-not-a-refresh-token`), (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, "invalid_grant");
        return true;
      });
    });
  });
}
