import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type ApiUser, apiUser } from "../support/table-api.ts";

/** RFC 7617 Basic for a user: the password as typed, not form-encoded as client credentials are. */
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/**
 * Fastify reads a request's body before the handler that authenticates it. A body the REST APIs
 * refuse (400, 413, 415) is answered only to a caller with valid credentials: without them the
 * answer is the 401 the request would get with a good body (RFC 6750 §3.1, RFC 7235 §3.1), so a
 * caller who may not use the API learns nothing about its request. An Accept the API cannot
 * answer (406) waits for credentials the same way; a spent login allowance (429) does not, since
 * it guards the password check itself. One store is enough: the order is the HTTP layer's.
 */
describe("credentials are checked before a refused body or a 406 is answered on the REST APIs", () => {
  let server: TestInstance;
  let user: ApiUser;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    user = await apiUser(server, "body.order.caller");
  });
  after(() => server.close());

  const send = (method: string, path: string, headers: Record<string, string>, body: string) => http(`${server.base}${path}`, { method, headers: { accept: "application/json", "content-type": "application/json", ...headers }, body });
  const post = (path: string, headers: Record<string, string>, body: string) => send("POST", path, headers, body);
  const malformed = '{"short_description": ';

  test("a malformed JSON body without valid credentials is a 401, with the challenge of the scheme tried; with them, the parser's 400", async () => {
    const before = await tableCounts(server.instance.store);
    const refusals: [string, Record<string, string>, string][] = [
      ["no Authorization header", {}, 'Bearer realm="portcullis"'],
      ["an unknown bearer token", { authorization: "Bearer not-a-token" }, 'Bearer realm="portcullis", error="invalid_token", error_description="the access token is invalid, expired or revoked"'],
      ["a wrong Basic password", { authorization: basic("no.such.user", "wrong") }, 'Basic realm="portcullis"'],
      ["another scheme", { authorization: "Digest x" }, 'Bearer realm="portcullis"'],
    ];
    for (const [name, headers, challenge] of refusals) {
      for (const [method, path] of [["POST", "/api/now/table/incident"], ["PATCH", "/api/now/v1/table/incident/0123456789abcdef0123456789abcdef"], ["POST", "/api/now/v1/batch"], ["POST", "/api/now/import/incident"]]) {
        const res = await send(method!, path!, headers, malformed);
        assert.equal(res.status, 401, `${name}, ${method} ${path}: ${res.text}`);
        assert.equal(res.body.error.message, "User Not Authenticated");
        assert.equal(res.headers.get("www-authenticate"), challenge, name);
      }
    }
    const admin = await post("/api/portcullis/registry/endpoints", {}, malformed);
    assert.equal(admin.status, 401, `the admin APIs too: ${admin.text}`);
    assert.deepEqual(await tableCounts(server.instance.store), before);

    for (const headers of [{ authorization: `Bearer ${user.token}` }, { authorization: basic(user.userName, user.password) }]) {
      const res = await post("/api/now/table/incident", headers, malformed);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error.message, /^the JSON body could not be read: it is not valid JSON/);
    }
    const asAdmin = await post("/api/portcullis/registry/endpoints", { authorization: basic("admin", adminPassword) }, malformed);
    assert.equal(asAdmin.status, 400, asAdmin.text);
  });

  test("a body of a type the API does not read, or too large, is a 401 too without credentials", async () => {
    const octets = await post("/api/now/table/incident", { "content-type": "application/octet-stream" }, "{}");
    assert.equal(octets.status, 401, octets.text);
    const large = await post("/api/now/table/incident", {}, `{"short_description":"${"x".repeat(server.instance.config.bodyLimit)}"}`);
    assert.equal(large.status, 401, large.text);
    const withToken = await post("/api/now/table/incident", { authorization: `Bearer ${user.token}`, "content-type": "application/octet-stream" }, "{}");
    assert.equal(withToken.status, 415, withToken.text);
  });

  test("an Accept the API cannot answer is a 406 only to a caller with credentials; without them, the 401 first", async () => {
    const before = await tableCounts(server.instance.store);
    const calls: [string, string, string | undefined][] = [
      ["GET", "/api/now/table/incident", undefined],
      ["POST", "/api/now/table/incident", '{"short_description": "asked for HTML"}'],
      ["POST", "/api/now/table/incident", malformed],
      ["GET", "/api/now/stats/incident?sysparm_count=true", undefined],
      ["POST", "/api/now/v1/batch", '{"batch_request_id": "1", "rest_requests": []}'],
      ["GET", "/api/now/v1/whoami", undefined],
      ["GET", "/api/portcullis/registry/endpoints", undefined],
    ];
    const ask = (method: string, path: string, body: string | undefined, headers: Record<string, string>) =>
      http(`${server.base}${path}`, { method, headers: { accept: "text/html", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }, ...(body === undefined ? {} : { body }) });
    for (const [method, path, body] of calls) {
      for (const [name, headers] of [["no credentials", {}], ["an unknown token", { authorization: "Bearer not-a-token" }], ["a wrong Basic password", { authorization: basic(user.userName, "wrong") }]] as const) {
        const res = await ask(method, path, body, headers);
        assert.equal(res.status, 401, `${method} ${path}, ${name}: ${res.text}`);
        assert.match(res.headers.get("www-authenticate") ?? "", /^(Bearer|Basic) realm="portcullis"/, name);
      }
      const authorization = path.startsWith("/api/portcullis/") ? basic("admin", adminPassword) : `Bearer ${user.token}`;
      const served = await ask(method, path, body, { authorization });
      assert.equal(served.status, 406, `${method} ${path} with credentials: ${served.text}`);
    }
    const notAdmin = await ask("GET", "/api/portcullis/registry/endpoints", undefined, { authorization: `Bearer ${user.token}` });
    assert.equal(notAdmin.status, 403, `an admin API's 403 comes first too: ${notAdmin.text}`);
    assert.deepEqual(await tableCounts(server.instance.store), before);
  });
});

describe("a spent login allowance still answers 429 before anything else on the REST APIs", () => {
  let server: TestInstance;
  let user: ApiUser;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!, { rateLimitLoginPerIp: 2 });
    user = await apiUser(server, "allowance.caller");
  });
  after(() => server.close());

  test("once an address has spent its allowance on wrong passwords, a right one with an Accept the API cannot answer is the 429, not a 406", async () => {
    const get = (authorization: string, accept: string) => http(`${server.base}/api/now/table/incident`, { headers: { authorization, accept } });
    for (let i = 0; i < 2; i++) assert.equal((await get(basic(user.userName, "wrong"), "application/json")).status, 401);
    const limited = await get(basic(user.userName, user.password), "text/html");
    assert.equal(limited.status, 429, limited.text);
    assert.ok(limited.headers.get("retry-after"));
    assert.equal((await get(`Bearer ${user.token}`, "text/html")).status, 406, "a bearer token is no password guess, and is served its 406");
  });
});
