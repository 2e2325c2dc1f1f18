import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FormBrowser, type Page } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const redirectUri = "https://client.example/oauth_redirect.do";

for (const dialect of dialectsUnderTest()) {
  describe(`authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { name: "Pipeline Controller Client", redirect_url: `${redirectUri}, https://other.example/cb` });
    });
    after(() => server.close());

    function authorizeUrl(params: Record<string, string>): string {
      return `/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, state: "xyz-state", ...params })}`;
    }

    /** Logs in and allows, as a person would; returns the redirect back to the client. */
    async function authorize(params: Record<string, string>, browser = new FormBrowser(server.base)): Promise<URL> {
      const login = await browser.get(authorizeUrl(params));
      assert.equal(login.status, 200, login.html);
      assert.match(login.html, /Pipeline Controller Client/);
      const afterLogin = await browser.submit(login, { user_name: "admin", user_password: adminPassword });
      assert.equal(afterLogin.status, 303);
      const consent = await browser.get(afterLogin.location!);
      assert.equal(consent.status, 200);
      assert.match(consent.html, /Allow access/);
      const allowed = await browser.submit(consent, { action: "allow" });
      assert.equal(allowed.status, 303);
      return new URL(allowed.location!);
    }

    async function exchange(code: string, verifier: string | undefined, overrides: Record<string, string> = {}) {
      const params: Record<string, string> = { grant_type: "authorization_code", code, redirect_uri: redirectUri, ...(verifier ? { code_verifier: verifier } : {}), ...overrides };
      return postForm(`${server.base}/oauth_token.do`, params, { authorization: basic(client.clientId, client.secret) });
    }

    test("login, consent, redirect with code, state and iss, then a token pair for the user", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      assert.equal(`${back.origin}${back.pathname}`, redirectUri);
      assert.equal(back.searchParams.get("state"), "xyz-state");
      assert.equal(back.searchParams.get("iss"), server.base);
      const res = await exchange(back.searchParams.get("code")!, verifier);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.ok(res.body.access_token && res.body.refresh_token);
      assert.equal(res.body.scope, "useraccount");
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${res.body.access_token}` } });
      assert.equal(who.body.result.user_name, "admin");
    });

    test("a literal ? inside the query (RFC 3986 allows it) is part of a value, and nothing after it is lost", async () => {
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const url = `/oauth_auth.do?response_type=code&client_id=${client.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&state=a?b/c&code_challenge=${challenge}&code_challenge_method=S256`;
      const login = await browser.get(url);
      assert.equal(login.status, 200, login.html);
      const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
      const back = new URL((await browser.submit(consent, { action: "allow" })).location!);
      assert.equal(back.searchParams.get("state"), "a?b/c");
      assert.equal((await exchange(back.searchParams.get("code")!, verifier)).status, 200, "the PKCE challenge after the ? was kept");
    });

    test("pages refuse to be framed and forms carry a CSRF token", async () => {
      const { challenge } = pkcePair();
      const page = await new FormBrowser(server.base).get(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
      assert.equal(page.headers.get("x-frame-options"), "DENY");
      assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
      assert.match(page.form().fields.csrf_token ?? "", /^[A-Za-z0-9_-]{43}$/);
      const cookie = page.headers.getSetCookie().join("\n");
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
    });

    test("a login form posted without its CSRF cookie is refused and starts no session", async () => {
      const { challenge } = pkcePair();
      const page = await new FormBrowser(server.base).get(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
      const before = await tableCounts(server.instance.store);
      const stranger = new FormBrowser(server.base);
      const res = await stranger.submit(page, { user_name: "admin", user_password: adminPassword });
      assert.equal(res.status, 403);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("a wrong password shows the login form again with an error", async () => {
      const { challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const login = await browser.get(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
      const res = await browser.submit(login, { user_name: "admin", user_password: "wrong password" });
      assert.equal(res.status, 401);
      assert.match(res.html, /user name or password is wrong/);
      await server.instance.store.db.updateTable("sys_user").set({ failed_attempts: 0 }).execute();
    });

    test("Deny redirects with error=access_denied and state", async () => {
      const { challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const login = await browser.get(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
      const afterLogin = await browser.submit(login, { user_name: "admin", user_password: adminPassword });
      const consent = await browser.get(afterLogin.location!);
      const denied = await browser.submit(consent, { action: "deny" });
      const back = new URL(denied.location!);
      assert.equal(back.searchParams.get("error"), "access_denied");
      assert.equal(back.searchParams.get("state"), "xyz-state");
      assert.equal(back.searchParams.get("code"), null);
    });

    test("a consent form with a wrong CSRF token issues no code", async () => {
      const { challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const login = await browser.get(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
      const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
      const before = await tableCounts(server.instance.store);
      const res = await browser.submit(consent, { action: "allow", csrf_token: "forged" });
      assert.equal(res.status, 403);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("an unregistered redirect_uri gets an error page, never a redirect", async () => {
      for (const bad of ["https://evil.example/cb", `${redirectUri}/extra`, `${redirectUri}?x=1`, "https://CLIENT.example/oauth_redirect.do"]) {
        const page = await new FormBrowser(server.base).get(authorizeUrl({ redirect_uri: bad }));
        assert.equal(page.status, 400, bad);
        assert.equal(page.location, null);
        assert.match(page.html, /not registered/);
      }
    });

    test("an unknown client gets an error page", async () => {
      const page = await new FormBrowser(server.base).get(authorizeUrl({ client_id: "f".repeat(32) }));
      assert.equal(page.status, 400);
      assert.equal(page.location, null);
    });

    test("a request without PKCE for a PKCE-required client is redirected back with invalid_request", async () => {
      const page = await new FormBrowser(server.base).get(authorizeUrl({}));
      assert.equal(page.status, 303);
      const back = new URL(page.location!);
      assert.equal(back.searchParams.get("error"), "invalid_request");
      assert.equal(back.searchParams.get("state"), "xyz-state");
    });

    test("a missing response_type is invalid_request; one we do not serve is unsupported_response_type (RFC 6749 §4.1.2.1)", async () => {
      const { challenge } = pkcePair();
      const pkce = { code_challenge: challenge, code_challenge_method: "S256" };
      const missing = await new FormBrowser(server.base).get(authorizeUrl(pkce).replace("response_type=code&", ""));
      assert.equal(new URL(missing.location!).searchParams.get("error"), "invalid_request");
      const token = await new FormBrowser(server.base).get(authorizeUrl({ ...pkce, response_type: "token" }));
      assert.equal(new URL(token.location!).searchParams.get("error"), "unsupported_response_type");
    });

    test("the plain PKCE method is refused", async () => {
      const page = await new FormBrowser(server.base).get(authorizeUrl({ code_challenge: "a".repeat(43), code_challenge_method: "plain" }));
      assert.equal(new URL(page.location!).searchParams.get("error"), "invalid_request");
    });

    test("a wrong code_verifier is invalid_grant and issues nothing", async () => {
      const { challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const before = await tableCounts(server.instance.store);
      const res = await exchange(back.searchParams.get("code")!, pkcePair().verifier);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "invalid_grant");
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("a challenge-bound code redeemed without a verifier is invalid_grant", async () => {
      const { challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const res = await exchange(back.searchParams.get("code")!, undefined);
      assert.equal(res.body.error, "invalid_grant");
    });

    test("a different redirect_uri at the token endpoint is invalid_grant", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const res = await exchange(back.searchParams.get("code")!, verifier, { redirect_uri: "https://other.example/cb" });
      assert.equal(res.body.error, "invalid_grant");
    });

    test("a code is redeemed once; a second redemption fails and revokes the tokens of the first", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const code = back.searchParams.get("code")!;
      const first = await exchange(code, verifier);
      assert.equal(first.status, 200);
      const second = await exchange(code, verifier);
      assert.equal(second.status, 400);
      assert.equal(second.body.error, "invalid_grant");
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
      assert.equal(who.status, 401);
      const refresh = await postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: first.body.refresh_token }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(refresh.body.error, "invalid_grant");
    });

    test("50 concurrent redemptions of one code: exactly one succeeds", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const code = back.searchParams.get("code")!;
      const results = await Promise.all(Array.from({ length: 50 }, () => exchange(code, verifier)));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error === "invalid_grant"));
    });

    test("an expired code is invalid_grant", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      await server.instance.store.db.updateTable("oauth_auth_code").set({ expires_at: Date.now() - 1000 }).where("consumed_at", "is", null).execute();
      const res = await exchange(back.searchParams.get("code")!, verifier);
      assert.equal(res.body.error, "invalid_grant");
    });

    test("a used code presented without its verifier is refused without revoking the grant", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const code = back.searchParams.get("code")!;
      const first = await exchange(code, verifier);
      const attacker = await exchange(code, pkcePair().verifier);
      assert.equal(attacker.body.error, "invalid_grant");
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
      assert.equal(who.status, 200, "only someone who could have redeemed the code can trigger the replay revocation");
    });

    test("an out-of-range loopback port gets an error page, not a 500", async () => {
      const pub = await registerClient(server.instance, { public_client: true, redirect_url: "http://127.0.0.1/cb" });
      const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${new URLSearchParams({ response_type: "token", client_id: pub.clientId, redirect_uri: "http://127.0.0.1:99999/cb" })}`);
      assert.equal(page.status, 400);
      assert.equal(page.location, null);
    });

    test("a deactivated user's session no longer reaches consent", async () => {
      const { createUser } = await import("../../src/store/user-store.ts");
      const { hashPassword } = await import("../../src/domain/passwords.ts");
      await createUser(server.instance.store.db, { userName: "leaver", passwordHash: await hashPassword("leaver password") }, "test");
      const { challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const login = await browser.get(authorizeUrl({ code_challenge: challenge, code_challenge_method: "S256" }));
      const afterLogin = await browser.submit(login, { user_name: "leaver", user_password: "leaver password" });
      await server.instance.store.db.updateTable("sys_user").set({ active: 0 }).where("user_name", "=", "leaver").execute();
      const page = await browser.get(afterLogin.location!);
      assert.match(page.html, /Log in/);
      assert.doesNotMatch(page.html, /Allow access/);
    });

    test("a code issued to one client cannot be redeemed by another", async () => {
      const { verifier, challenge } = pkcePair();
      const back = await authorize({ code_challenge: challenge, code_challenge_method: "S256" });
      const thief = await registerClient(server.instance, { redirect_url: redirectUri });
      const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: redirectUri, code_verifier: verifier }, { authorization: basic(thief.clientId, thief.secret) });
      assert.equal(res.body.error, "invalid_grant");
    });

    test("a public client completes the flow with PKCE and no secret", async () => {
      const pub = await registerClient(server.instance, { public_client: true, redirect_url: "http://127.0.0.1/callback" });
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const url = `/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: pub.clientId, redirect_uri: "http://127.0.0.1:53117/callback", code_challenge: challenge, code_challenge_method: "S256" })}`;
      const login: Page = await browser.get(url);
      const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
      const back = new URL((await browser.submit(consent, { action: "allow" })).location!);
      assert.equal(back.port, "53117", "a loopback IP redirect may use any port (RFC 8252 §7.3)");
      const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", client_id: pub.clientId, code: back.searchParams.get("code")!, redirect_uri: "http://127.0.0.1:53117/callback", code_verifier: verifier });
      assert.equal(res.status, 200, res.text);
    });
  });
}
