import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`bad input at the OAuth endpoints gets the RFC error and writes nothing, on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    let counts: Record<string, number>;
    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { grant_types: ["client_credentials", "password", "refresh_token", "authorization_code"], redirect_url: "https://c.example/cb" });
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no refused request wrote anything");
      await server.close();
    });

    const auth = () => ({ authorization: basic(client.clientId, client.secret) });
    const cases: { name: string; send: () => Promise<{ status: number; body: any }>; status: number; error: string }[] = [
      { name: "no grant_type", send: () => postForm(`${server.base}/oauth_token.do`, {}, auth()), status: 400, error: "invalid_request" },
      { name: "an unknown grant type", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "urn:made:up" }, auth()), status: 400, error: "unsupported_grant_type" },
      { name: "grant_type named after an object property", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "constructor" }, auth()), status: 400, error: "unsupported_grant_type" },
      { name: "a repeated parameter", send: () => postForm(`${server.base}/oauth_token.do`, "grant_type=client_credentials&grant_type=client_credentials", auth()), status: 400, error: "invalid_request" },
      { name: "a repeated scope", send: () => postForm(`${server.base}/oauth_token.do`, "grant_type=client_credentials&scope=useraccount&scope=useraccount", auth()), status: 400, error: "invalid_request" },
      {
        name: "JSON where a form is expected",
        send: () => http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/json", ...auth() }, body: JSON.stringify({ grant_type: "client_credentials" }) }),
        status: 400,
        error: "invalid_request",
      },
      {
        name: "malformed JSON",
        send: () => http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/json", ...auth() }, body: "{not json" }),
        status: 400,
        error: "invalid_request",
      },
      {
        name: "an unknown content type",
        send: () => http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "text/xml", ...auth() }, body: "<x/>" }),
        status: 400,
        error: "invalid_request",
      },
      { name: "no body at all", send: () => http(`${server.base}/oauth_token.do`, { method: "POST", headers: auth() }), status: 400, error: "invalid_request" },
      { name: "an oversized body", send: () => postForm(`${server.base}/oauth_token.do`, `grant_type=client_credentials&pad=${"a".repeat(200_000)}`, auth()), status: 413, error: "invalid_request" },
      { name: "a code grant without a code", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", redirect_uri: "https://c.example/cb" }, auth()), status: 400, error: "invalid_request" },
      { name: "an unknown code", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: "nope", redirect_uri: "https://c.example/cb" }, auth()), status: 400, error: "invalid_grant" },
      { name: "a refresh grant without a token", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token" }, auth()), status: 400, error: "invalid_request" },
      { name: "an unknown refresh token", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: "x" }, auth()), status: 400, error: "invalid_grant" },
      { name: "a malformed Basic header", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: "Basic !!!" }), status: 401, error: "invalid_client" },
      { name: "an empty Basic header (credentials left out)", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: "Basic " }), status: 401, error: "invalid_client" },
      { name: "a Bearer header at the token endpoint", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: "Bearer abc" }), status: 400, error: "invalid_request" },
      { name: "invalid UTF-8 in the form", send: () => postForm(`${server.base}/oauth_token.do`, "grant_type=%ff%fe&client_id=%c3%28", auth()), status: 400, error: "invalid_request" },
      { name: "invalid UTF-8 in a scope", send: () => postForm(`${server.base}/oauth_token.do`, "grant_type=client_credentials&scope=%ff", auth()), status: 400, error: "invalid_request" },
      { name: "a grant type with quotes and non-ASCII", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: 'urn:"x"\\é' }, auth()), status: 400, error: "unsupported_grant_type" },
      { name: "a scope with quotes and non-ASCII", send: () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials", scope: 'é"x' }, auth()), status: 400, error: "invalid_scope" },
      { name: "revocation without a token", send: () => postForm(`${server.base}/oauth_revoke_token.do`, {}, auth()), status: 400, error: "invalid_request" },
      { name: "introspection with JSON", send: () => http(`${server.base}/oauth_introspect`, { method: "POST", headers: { "content-type": "application/json", ...auth() }, body: "{}" }), status: 400, error: "invalid_request" },
    ];

    for (const c of cases) {
      test(`${c.name} → ${c.status} ${c.error}`, async () => {
        const res = await c.send();
        assert.equal(res.status, c.status, JSON.stringify(res.body));
        assert.equal(res.body.error, c.error);
        assert.equal(typeof res.body.error_description, "string");
        // RFC 6749 §5.2: printable ASCII without " and \, whatever the request held.
        assert.match(res.body.error_description, /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
        assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts:\d+/, "no stack trace on the wire");
      });
    }

    test("a quoted value is cut to about 100 characters, and what error_description may not hold is percent-encoded", async () => {
      const long = "x".repeat(60_000);
      for (const form of <Record<string, string>[]>[{ grant_type: long }, { grant_type: "client_credentials", scope: long }]) {
        const res = await postForm(`${server.base}/oauth_token.do`, form, auth());
        assert.equal(res.status, 400);
        assert.ok(res.body.error_description.length < 200, `${res.body.error_description.length} characters`);
        assert.match(res.body.error_description, /'x{100}\.\.\.'/);
      }
      const odd = await postForm(`${server.base}/oauth_token.do`, { grant_type: 'urn:"x"\\é%' }, auth());
      assert.equal(odd.body.error_description, "the grant type 'urn:%22x%22%5C%C3%A9%25' is not supported");
      // Cut between characters, never inside an escape.
      const wide = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials", scope: "é".repeat(200) }, auth());
      assert.equal(wide.body.error_description, `the scope '${"%C3%A9".repeat(16)}...' is not available to this client`);
    });

    test("a scope string with a doubled, leading or trailing space is called malformed, not a scope '' (RFC 6749 §3.3)", async () => {
      for (const scope of ["useraccount  useraccount", " useraccount", "useraccount ", " "]) {
        const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials", scope }, auth());
        assert.equal(res.body.error, "invalid_scope", JSON.stringify(scope));
        assert.match(res.body.error_description, /^the scope is malformed: scope names are separated by single spaces/, JSON.stringify(scope));
      }
    });

    test("unknown parameters are ignored, even repeated (RFC 6749 §3.1)", async () => {
      const other = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      const res = await postForm(`${server.base}/oauth_token.do`, "grant_type=client_credentials&resource=a&resource=b", { authorization: basic(other.clientId, other.secret) });
      assert.equal(res.status, 200);
      counts = await tableCounts(server.instance.store);
    });

    test("GET, PUT, PATCH or DELETE on the token, revocation and introspection endpoints is a JSON 405 naming POST, not a page", async () => {
      for (const path of ["/oauth_token.do", "/oauth_revoke_token.do", "/oauth_introspect"]) for (const method of ["GET", "PUT", "PATCH", "DELETE"]) {
        const res = await http(`${server.base}${path}?grant_type=client_credentials`, { method });
        assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
        assert.equal(res.headers.get("allow"), "POST");
        assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
        assert.equal(res.body.error, "invalid_request");
        assert.match(res.body.error_description, /takes POST/);
      }
    });
  });

  describe(`the bearer middleware (RFC 6750) on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => (server = await startTestInstance(dialect)));
    after(() => server.close());

    test("no credentials: 401, a bare Bearer challenge, the Table API error envelope", async () => {
      const res = await http(`${server.base}/api/now/v1/whoami`);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="portcullis"');
      assert.equal(res.body.status, "failure");
      assert.equal(res.body.error.message, "User Not Authenticated");
    });

    test("an unknown token: 401 with error=\"invalid_token\"", async () => {
      const res = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: "Bearer abcdef" } });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate")!, /error="invalid_token"/);
    });

    test("HTTP Basic is taken as the Table API takes it: whoami names the user, with no client; a wrong password is a 401 Basic challenge", async () => {
      const res = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}` } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.user_name, "admin");
      assert.match(res.body.result.user_sys_id, /^[0-9a-f]{32}$/);
      assert.match(res.body.result.roles, /(^|,)admin(,|$)/);
      assert.equal(res.body.result.client_id, "");
      assert.equal(res.body.result.scope, "useraccount");
      const wrong = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: basic("admin", "not the password") } });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get("www-authenticate"), 'Basic realm="portcullis"');
    });

    test("a token in the query string is refused", async () => {
      const res = await http(`${server.base}/api/now/v1/whoami?access_token=abc`);
      assert.equal(res.status, 400);
      assert.equal(res.body.status, "failure");
    });

    test("an unknown API path answers the JSON envelope with 404", async () => {
      const res = await http(`${server.base}/api/now/nothing`);
      assert.equal(res.status, 404);
      assert.equal(res.body.status, "failure");
    });
  });
}
