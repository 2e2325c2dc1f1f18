import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setGlobalDispatcher, getGlobalDispatcher, type Dispatcher } from "undici";
import { readCaCertificates, trustingDispatcher } from "../../src/tls/trust.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const redirectUri = "https://client.example/oauth_redirect.do";

for (const dialect of dialectsUnderTest()) {
  describe(`OAuth over real HTTPS on loopback, trusting the development CA, on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    let previous: Dispatcher;
    before(async () => {
      server = await startTestInstance(dialect, { https: true });
      client = await registerClient(server.instance, { grant_types: ["authorization_code", "refresh_token", "password", "client_credentials"], redirect_url: redirectUri });
      // Every fetch in this file is a verifying client that trusts the CA, as NODE_EXTRA_CA_CERTS would make it.
      previous = getGlobalDispatcher();
      setGlobalDispatcher(trustingDispatcher(readCaCertificates(path.join(server.instance.config.dataDir, "tls", "ca.pem"))));
    });
    after(async () => {
      setGlobalDispatcher(previous);
      await server.close();
    });

    test("the instance is reached at https://localhost and the metadata carries only https URLs", async () => {
      assert.match(server.base, /^https:\/\/localhost:\d+$/);
      const res = await http(`${server.base}/.well-known/oauth-authorization-server`);
      assert.equal(res.status, 200);
      assert.equal(res.body.issuer, server.base);
      for (const key of ["authorization_endpoint", "token_endpoint", "revocation_endpoint", "introspection_endpoint"]) {
        assert.ok(res.body[key].startsWith(`${server.base}/`), `${key}: ${res.body[key]}`);
      }
      assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=31536000/);
    });

    test("client_credentials and password + refresh grants work over TLS, and the token is accepted by the API", async () => {
      const token = `${server.base}/oauth_token.do`;
      const cc = await postForm(token, { grant_type: "client_credentials", client_id: client.clientId, client_secret: client.secret });
      assert.equal(cc.status, 200, cc.text);
      assert.equal(cc.body.token_type, "Bearer");
      const pw = await postForm(token, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(pw.status, 200, pw.text);
      assert.ok(pw.body.refresh_token && pw.body.expires_in > 0);
      const refreshed = await postForm(token, { grant_type: "refresh_token", refresh_token: pw.body.refresh_token, client_id: client.clientId, client_secret: client.secret });
      assert.equal(refreshed.status, 200, refreshed.text);
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${refreshed.body.access_token}` } });
      assert.equal(who.status, 200);
      assert.equal(who.body.result.user_name, "admin");
    });

    test("login and consent set Secure __Host- cookies, and the redirect carries the https issuer", async () => {
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, state: "s1", code_challenge: challenge, code_challenge_method: "S256" })}`);
      assert.equal(login.status, 200, login.html);
      const csrfCookie = login.headers.getSetCookie().find((c) => /^__Host-portcullis_login_csrf(_\d+)?=/.test(c));
      assert.ok(csrfCookie, login.headers.getSetCookie().join("\n"));
      assert.match(csrfCookie, /; Secure/);
      assert.match(csrfCookie, /; Path=\//);
      assert.doesNotMatch(csrfCookie, /Domain=/i);

      const afterLogin = await browser.submit(login, { user_name: "admin", user_password: adminPassword });
      assert.equal(afterLogin.status, 303, afterLogin.html);
      const sessionCookie = afterLogin.headers.getSetCookie().find((c) => /^__Host-portcullis_session(_\d+)?=/.test(c));
      assert.ok(sessionCookie, afterLogin.headers.getSetCookie().join("\n"));
      assert.match(sessionCookie, /; Secure/);
      assert.match(sessionCookie, /; HttpOnly/);

      const consent = await browser.get(afterLogin.location!);
      const back = new URL((await browser.submit(consent, { action: "allow" })).location!);
      assert.equal(back.searchParams.get("iss"), server.base);
      const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: redirectUri, code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.status, 200, res.text);
    });

    test("plain HTTP to the TLS port gets no OAuth answer", async () => {
      const port = new URL(server.base).port;
      const res = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`).then(
        (r) => r.status,
        () => "failed",
      );
      assert.notEqual(res, 200);
    });
  });
}
