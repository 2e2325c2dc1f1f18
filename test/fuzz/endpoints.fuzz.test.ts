import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { storedDataDigest } from "../support/table-digest.ts";

/**
 * Property: whatever arrives at any endpoint, the server answers below 500, stays up, and
 * changes no stored data (no generated request can be valid: the fuzzed client may use
 * only the authorization-code grant and never holds a code or a CSRF pair).
 * FUZZ_RUNS sets the number of requests per backend: a short pass in `npm test`,
 * `npm run fuzz` for the full 100 000.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 2000);

const paths = ["/oauth_token.do", "/oauth_auth.do", "/oauth_revoke_token.do", "/oauth_introspect", "/.well-known/oauth-authorization-server", "/api/now/v1/whoami", "/logout.do", "/", "/health", "/ready", "/metrics", "/api/now/table/incident", "/nothing"];
const paramNames = ["grant_type", "client_id", "client_secret", "code", "redirect_uri", "code_verifier", "refresh_token", "username", "password", "scope", "token", "token_type_hint", "response_type", "state", "code_challenge", "code_challenge_method", "action", "csrf_token", "user_name", "user_password", "access_token", "__proto__", "constructor"];

function requestArbitrary(client: RegisteredClient) {
  const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("", "client_credentials", "authorization_code", "refresh_token", "password", "S256", "plain", "code", "useraccount", "allow", "login", client.clientId, client.secret, "https://c.example/cb", "https://c.example/cb#x", "javascript:alert(1)", "http://127.0.0.1:1/cb", "%", "%zz", "%ff%fe", "a".repeat(5000)));
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...paramNames), fc.string({ maxLength: 12 })), text);
  const pairs = fc.array(pair, { maxLength: 12 });
  const encoded = pairs.map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));
  const rawBody = fc.oneof(
    encoded.map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.constantFrom(Buffer.from("{"), Buffer.from('{"grant_type":"client_credentials"}'), Buffer.from("grant_type=a&grant_type=b"), Buffer.from("%%%&&&==="), Buffer.alloc(70_000, 97)),
  );
  return fc.record({
    method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"),
    path: fc.constantFrom(...paths),
    query: fc.oneof(fc.constant(""), encoded),
    contentType: fc.constantFrom(undefined, "application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=latin1", "*/*"),
    body: fc.option(rawBody, { nil: undefined }),
    authorization: fc.option(
      fc.oneof(
        fc.constant(basic(client.clientId, client.secret)),
        fc.constant(basic(client.clientId, "wrong")),
        fc.string({ maxLength: 60 }).map((s) => `Basic ${Buffer.from(s).toString("base64")}`),
        fc.string({ maxLength: 60 }).map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, "")}`),
        fc.constantFrom("Basic", "Bearer", "Digest x", "Basic %%%"),
      ),
      { nil: undefined },
    ),
    cookie: fc.option(fc.constantFrom("portcullis_session=abc", "portcullis_login_csrf=x", "a=b; a=c", "portcullis_session="), { nil: undefined }),
  });
}

function send(agent: http.Agent, port: number, r: { method: string; path: string; query: string; contentType?: string | undefined; body?: Buffer | undefined; authorization?: string | undefined; cookie?: string | undefined }): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (r.contentType) headers["content-type"] = r.contentType;
    if (r.authorization) headers.authorization = r.authorization;
    if (r.cookie) headers.cookie = r.cookie;
    const req = http.request({ host: "127.0.0.1", port, method: r.method, path: r.query ? `${r.path}?${r.query}` : r.path, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(r.method === "GET" || r.method === "HEAD" ? undefined : r.body);
  });
}

for (const dialect of dialectsUnderTest()) {
  describe(`fuzzing every endpoint on ${dialect.name} (${runs} requests)`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    let digest: string;
    // A fresh connection per request: a server closing a connection after a refused body must not read as a failure of the next request.
    const agent = new http.Agent({ keepAlive: false });
    before(async () => {
      server = await startTestInstance(dialect, { rateLimitTokenPerClient: 0, rateLimitTokenPerIp: 0, rateLimitLoginPerIp: 0 });
      client = await registerClient(server.instance, { grant_types: ["authorization_code"], redirect_url: "https://c.example/cb, http://127.0.0.1/cb" });
      digest = await storedDataDigest(server.instance.store);
    });
    after(async () => {
      agent.destroy();
      await server.close();
    });

    test("no 5xx, no crash, no change to stored data", async () => {
      const port = Number(new URL(server.base).port);
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requestArbitrary(client), async (request) => {
          const status = await send(agent, port, request).catch((error: Error) => {
            throw new Error(`${request.method} ${request.path}: ${error.message}`);
          });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) throw new Error(`answered ${status}`);
        }),
        { numRuns: runs, includeErrorInReport: true, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
      assert.equal((await fetch(`${server.base}/health`)).status, 200, "still alive");
      assert.equal(await storedDataDigest(server.instance.store), digest, "no stored data changed");
      assert.ok((statuses.get(400) ?? 0) > 0 && (statuses.get(404) ?? 0) > 0, `a spread of answers: ${JSON.stringify([...statuses])}`);
    });
  });
}
