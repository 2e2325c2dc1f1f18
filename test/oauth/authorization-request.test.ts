import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FormBrowser, type Page } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const redirectUri = "https://client.example/cb";

describe("repeated authorization request parameters (RFC 6749 §3.1, §4.1.2.1)", () => {
  let server: TestInstance;
  let client: RegisteredClient;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    client = await registerClient(server.instance, { redirect_url: redirectUri });
  });
  after(() => server.close());

  /** The request as a query string, with `repeat` sent twice. */
  function query(repeat: string): string {
    const params = new URLSearchParams(queryWith({}));
    params.append(repeat, params.get(repeat)!);
    return params.toString();
  }

  function queryWith(extra: Record<string, string>): string {
    const { challenge } = pkcePair();
    return new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, scope: "useraccount", state: "s-1", code_challenge: challenge, code_challenge_method: "S256", ...extra }).toString();
  }

  for (const name of ["response_type", "scope", "code_challenge", "code_challenge_method"]) {
    test(`a repeated ${name} is redirected back as invalid_request, with the state`, async () => {
      const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${query(name)}`);
      assert.equal(page.status, 303, page.html);
      const back = new URL(page.location!);
      assert.equal(`${back.origin}${back.pathname}`, redirectUri);
      assert.equal(back.searchParams.get("error"), "invalid_request");
      assert.match(back.searchParams.get("error_description")!, new RegExp(name));
      assert.equal(back.searchParams.get("state"), "s-1");
      assert.equal(back.searchParams.get("iss"), server.base);
    });
  }

  test("a repeated state cannot be echoed: invalid_request without one", async () => {
    const back = new URL((await new FormBrowser(server.base).get(`/oauth_auth.do?${query("state")}`)).location!);
    assert.equal(back.searchParams.get("error"), "invalid_request");
    assert.equal(back.searchParams.get("state"), null);
  });

  test("a response_mode other than query is refused in the query, with the state; query itself is accepted", async () => {
    for (const mode of ["form_post", "fragment"]) {
      const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${queryWith({ response_mode: mode })}`);
      const back = new URL(page.location!);
      assert.equal(back.searchParams.get("error"), "invalid_request", mode);
      assert.match(back.searchParams.get("error_description")!, new RegExp(`response_mode ${mode} is not supported`));
      assert.equal(back.searchParams.get("state"), "s-1");
    }
    const accepted = await new FormBrowser(server.base).get(`/oauth_auth.do?${queryWith({ response_mode: "query" })}`);
    assert.equal(accepted.location, null, "response_mode=query goes on to sign-in");
    assert.equal(accepted.status, 200, accepted.html);
  });

  test("an error_description quoting what was sent stays within RFC 6749 §4.1.2.1's characters", async () => {
    const { challenge } = pkcePair();
    const params = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, scope: 'é"x\\', state: "s-1", code_challenge: challenge, code_challenge_method: "S256" });
    const back = new URL((await new FormBrowser(server.base).get(`/oauth_auth.do?${params}`)).location!);
    assert.equal(back.searchParams.get("error"), "invalid_scope");
    assert.match(back.searchParams.get("error_description")!, /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
  });

  test("a long response_mode is not sent back whole in the redirect", async () => {
    const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${queryWith({ response_mode: "m".repeat(6000) })}`);
    assert.equal(page.status, 303);
    const back = new URL(page.location!);
    assert.equal(back.searchParams.get("error_description"), `response_mode ${"m".repeat(100)}... is not supported; the response comes in the query (response_mode=query)`);
  });

  for (const name of ["client_id", "redirect_uri"]) {
    test(`a repeated ${name} is shown on a page naming it, never redirected`, async () => {
      const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${query(name)}`);
      assert.equal(page.status, 400);
      assert.equal(page.location, null);
      assert.match(page.html, new RegExp(`The parameter ${name} was sent more than once`));
    });
  }
});

describe("the registered redirect URI's query is retained as written (RFC 6749 §3.1.2)", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
  });
  after(() => server.close());

  /** The Location an authorization request with scope `nope` is sent back to. */
  async function refusedTo(registered: string): Promise<string> {
    const client = await registerClient(server.instance, { redirect_url: registered });
    const { challenge } = pkcePair();
    const query = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: registered, scope: "nope", state: "s-3", code_challenge: challenge, code_challenge_method: "S256" });
    const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${query}`);
    assert.equal(page.status, 303, page.html);
    return page.location!;
  }

  test("an error is appended to the query byte for byte: %2F stays %2F, a bare flag stays bare, %20 stays %20", async () => {
    const cases: [string, string][] = [
      ["https://q.example/cb?next=%2Fhome&flag", "https://q.example/cb?next=%2Fhome&flag&error="],
      ["https://q.example/cb?x=1&y=a%20b", "https://q.example/cb?x=1&y=a%20b&error="],
      ["https://q.example/cb?a=1&", "https://q.example/cb?a=1&error="],
      ["https://q.example/cb?", "https://q.example/cb?error="],
      ["https://q.example/cb", "https://q.example/cb?error="],
      ["com.example.app:/cb?x=a+b", "com.example.app:/cb?x=a+b&error="],
    ];
    for (const [registered, start] of cases) {
      const location = await refusedTo(registered);
      assert.ok(location.startsWith(start), `${registered} came back as ${location}`);
      const back = new URL(location);
      assert.equal(back.searchParams.get("error"), "invalid_scope");
      assert.equal(back.searchParams.get("state"), "s-3");
      assert.equal(back.searchParams.get("iss"), server.base);
    }
  });

  test("a code is appended so too", async () => {
    const registered = "https://q.example/cb?next=%2Fhome&flag";
    const client = await registerClient(server.instance, { redirect_url: registered });
    const { challenge } = pkcePair();
    const browser = new FormBrowser(server.base);
    const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: registered, state: "s-4", code_challenge: challenge, code_challenge_method: "S256" })}`);
    const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
    const allowed = await browser.submit(consent, { action: "allow" });
    assert.match(allowed.location!, /^https:\/\/q\.example\/cb\?next=%2Fhome&flag&code=[^&]+&state=s-4&iss=/);
  });
});

describe("an omitted redirect_uri (RFC 6749 §3.1.2.3, §4.1.3)", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
  });
  after(() => server.close());

  /** Logs in and allows without naming a redirect URI; returns the page the browser was sent to. */
  async function authorizeWithout(clientId: string, challenge: string): Promise<Page> {
    const browser = new FormBrowser(server.base);
    const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: clientId, state: "s-2", code_challenge: challenge, code_challenge_method: "S256" })}`);
    if (login.status !== 200) return login;
    const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
    return browser.submit(consent, { action: "allow" });
  }

  test("a client with one registered redirect URI may leave it out, at both endpoints", async () => {
    const client = await registerClient(server.instance, { redirect_url: redirectUri });
    const { verifier, challenge } = pkcePair();
    const allowed = await authorizeWithout(client.clientId, challenge);
    assert.equal(allowed.status, 303, allowed.html);
    const back = new URL(allowed.location!);
    assert.equal(`${back.origin}${back.pathname}`, redirectUri);
    assert.equal(back.searchParams.get("state"), "s-2");
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: back.searchParams.get("code")!, code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.access_token);
  });

  test("a client with several must name one: a page at the authorization endpoint, invalid_request at the token endpoint", async () => {
    const client = await registerClient(server.instance, { redirect_url: `${redirectUri}, https://other.example/cb` });
    const page = await authorizeWithout(client.clientId, pkcePair().challenge);
    assert.equal(page.status, 400);
    assert.equal(page.location, null);
    assert.match(page.html, /The request has no redirect_uri/);
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: "any" }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.body.error, "invalid_request");
  });
});
