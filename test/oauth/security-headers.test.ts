import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { helmetHeaders } from "../../src/http/security-headers.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";

describe("security headers on every kind of response", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
  });
  after(() => server.close());

  for (const [what, path, init] of [
    ["a token error", "/oauth_token.do", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=client_credentials" }],
    ["the sign-in page", "/", {}],
    ["a 404", "/no/such/thing", {}],
    ["a Table API error", "/api/now/table/incident", {}],
    ["a path that is not valid percent-encoding", "/api/now/table/%ff", {}],
    ["a page path that is not valid percent-encoding", "/admin/%ff", {}],
  ] as const) {
    test(`${what} is not frameable, not sniffed, and under the CSP`, async () => {
      const response = await fetch(`${server.base}${path}`, init as RequestInit);
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.match(response.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
      assert.equal(response.headers.get("strict-transport-security"), null, "no HSTS over plain http");
    });
  }

  test("every kind of page names its icon, so a browser asks for no /favicon.ico (which the instance does not serve)", async () => {
    assert.equal((await fetch(`${server.base}/favicon.ico`)).status, 404);
    const client = await registerClient(server.instance, { redirect_url: "http://127.0.0.1:9/cb" });
    const login = `/oauth_auth.do?response_type=code&client_id=${client.clientId}&redirect_uri=${encodeURIComponent("http://127.0.0.1:9/cb")}&state=s&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`;
    for (const path of ["/", login, "/oauth_auth.do", "/no/such/thing", "/oauth_redirect.do"]) {
      const html = await (await fetch(`${server.base}${path}`)).text();
      assert.match(html, /<head>.*<link rel="icon" href="data:,"\/>.*<\/head>/s, path);
    }
  });

  test("a path that is not valid percent-encoding is a 400 in the path's own format, not the framework's JSON", async () => {
    const api = await fetch(`${server.base}/api/now/table/%ff`);
    assert.equal(api.status, 400);
    const body = (await api.json()) as { error: { message: string }; status: string };
    assert.equal(body.status, "failure");
    assert.match(body.error.message, /percent-encoded/);
    const page = await fetch(`${server.base}/admin/%ff`);
    assert.equal(page.status, 400);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.doesNotMatch(await page.text(), /FST_ERR/);
    assert.equal(page.headers.get("referrer-policy"), "no-referrer", "a page gets the page set of headers");
    assert.match(page.headers.get("content-security-policy") ?? "", /^default-src 'self';style-src 'self' 'unsafe-inline'/, "and the page CSP, so its styles load");
    assert.equal(api.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
  });

  test("an API's answer to a caller is never stored by a cache: records, whoami, aggregates, a batch", async () => {
    const authorization = `Bearer ${(await apiUser(server, "cache.caller")).token}`;
    const headers = { authorization, accept: "application/json" };
    const created = await fetch(`${server.base}/api/now/table/incident`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ short_description: "cached?" }) });
    assert.equal(created.status, 201);
    const sysId = ((await created.json()) as { result: { sys_id: string } }).result.sys_id;
    const answers: [string, Response][] = [["a create", created]];
    for (const path of ["/api/now/table/incident", `/api/now/table/incident/${sysId}`, "/api/now/v1/whoami", "/api/now/stats/incident?sysparm_count=true", "/api/now/table/sys_user?sysparm_limit=1"]) {
      answers.push([path, await fetch(`${server.base}${path}`, { headers })]);
    }
    const batch = { batch_request_id: "1", rest_requests: [{ id: "a", method: "GET", url: "/api/now/table/incident" }] };
    answers.push(["a batch", await fetch(`${server.base}/api/now/v1/batch`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(batch) })]);
    for (const [what, response] of answers) {
      assert.ok(response.ok, `${what}: ${response.status}`);
      assert.equal(response.headers.get("cache-control"), "no-store", what);
    }
    const metadata = await fetch(`${server.base}/.well-known/oauth-authorization-server`);
    assert.equal(metadata.headers.get("cache-control"), null, "public metadata may still be cached");
  });

  test("a JSON answer carries the API set only: a CSP that loads nothing, no document-only headers", async () => {
    const response = await fetch(`${server.base}/api/now/table/incident`);
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(response.headers.get("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    for (const name of ["referrer-policy", "cross-origin-opener-policy", "x-dns-prefetch-control", "x-xss-protection"]) assert.equal(response.headers.get(name), null, name);
  });

  test("an HTML page carries helmet's whole set and the page CSP", async () => {
    const response = await fetch(`${server.base}/oauth_auth.do`);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(response.headers.get("content-security-policy") ?? "", /^default-src 'self';style-src 'self' 'unsafe-inline';.*frame-ancestors 'none'/);
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.equal(response.headers.get("cross-origin-opener-policy"), "same-origin");
  });

  test("a page that sets its own CSP keeps it (the sign-in page: form-action 'self')", async () => {
    const response = await fetch(`${server.base}/`);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(response.headers.get("content-security-policy") ?? "", /form-action 'self'; frame-ancestors 'none'$/);
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
  });

  test("HSTS is computed only when asked for", () => {
    assert.equal(helmetHeaders({ hsts: { maxAge: 31536000 } })["strict-transport-security"], "max-age=31536000; includeSubDomains");
    assert.equal(helmetHeaders({ hsts: false })["strict-transport-security"], undefined);
  });
});

describe("bodies the instance would misread are a 415", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
  });
  after(() => server.close());

  test("a compressed body, on the token endpoint and the Table API, and JSON not in UTF-8", async () => {
    // The Table API answers a refused body only to a caller with credentials (src/http/body-refusal.ts).
    const authorization = `Bearer ${(await apiUser(server, "compressed.body.caller")).token}`;
    for (const encoding of ["br", "gzip", "deflate"]) {
      const token = await fetch(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": encoding }, body: "grant_type=client_credentials" });
      assert.equal(token.status, 415, encoding);
      const body = (await token.json()) as { error: string; error_description: string };
      assert.equal(body.error, "invalid_request");
      assert.match(body.error_description, new RegExp(`Content-Encoding: ${encoding}`));
    }
    const table = await fetch(`${server.base}/api/now/table/incident`, { method: "POST", headers: { authorization, "content-type": "application/json", "content-encoding": "gzip", accept: "application/json" }, body: "{}" });
    assert.equal(table.status, 415);
    assert.equal(((await table.json()) as { status: string }).status, "failure");
    const utf16 = await fetch(`${server.base}/api/now/table/incident`, { method: "POST", headers: { authorization, "content-type": "application/json; charset=utf-16", accept: "application/json" }, body: "{}" });
    assert.equal(utf16.status, 415);
    assert.match(((await utf16.json()) as { error: { message: string } }).error.message, /charset=utf-16/);
    // Identity, and the charsets that are UTF-8, are read as before (401 at the token endpoint: no credentials, not a 415).
    const plain = await fetch(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=ISO-8859-1", "content-encoding": "identity" }, body: "grant_type=client_credentials" });
    assert.equal(plain.status, 401);
    const utf8 = await fetch(`${server.base}/api/now/table/incident`, { method: "POST", headers: { authorization, "content-type": "application/json; charset=UTF-8", accept: "application/json" }, body: "{}" });
    assert.equal(utf8.status, 201);
  });
});
