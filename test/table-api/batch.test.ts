import assert from "node:assert/strict";
import { get as httpGet } from "node:http";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
const decode = (body: string) => JSON.parse(Buffer.from(body, "base64").toString("utf8") || "null");

for (const dialect of dialectsUnderTest()) {
  describe(`Batch API (POST /api/now/v1/batch), as PySNC sends it, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "beth.anglin");
    });
    after(() => server.close());

    test("each sub-request is served with the caller's rights; a failing one does not fail its siblings", async () => {
      const created = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "to update" } });
      const id = created.body.result.sys_id;
      const headers = [{ name: "Content-Type", value: "application/json" }, { name: "Accept", value: "application/json" }];
      const res = await api(server, "POST", "/api/now/v1/batch", {
        token: user.token,
        body: {
          batch_request_id: "b1",
          rest_requests: [
            { id: "list", method: "GET", url: "/api/now/table/incident?sysparm_limit=1&sysparm_query=ORDERBYsys_id", headers },
            { id: "insert", method: "POST", url: "/api/now/table/incident", headers, body: b64({ short_description: "from a batch" }) },
            { id: "patch", method: "PATCH", url: `/api/now/table/incident/${id}`, headers, body: b64({ state: "2" }) },
            { id: "missing", method: "GET", url: "/api/now/table/no_such_table", headers },
            { id: "denied", method: "POST", url: "/api/now/table/oauth_entity", headers, body: b64({ name: "Sneaky" }) },
            { id: "delete", method: "DELETE", url: `/api/now/table/incident/${id}`, headers },
            { id: "pre-delete", method: "GET", url: `/api/now/table/incident/${id}`, headers },
            { id: "nested", method: "POST", url: "/api/now/v1/batch", headers, body: b64({ rest_requests: [] }) },
            { id: "oauth", method: "POST", url: "/oauth_token.do", headers },
            // Dot segments are resolved before the check, and the resolved URL is what is served.
            { id: "dots-metrics", method: "GET", url: "/api/now/../../metrics", headers },
            { id: "dots-registry", method: "GET", url: "/api/now/../portcullis/registry/endpoints", headers },
            { id: "encoded-dots", method: "GET", url: "/api/now/%2e%2e/%2E%2E/oauth_token.do", headers },
            { id: "dots-nested", method: "POST", url: "/api/now/v1/../v1/batch", headers, body: b64({ rest_requests: [] }) },
            { id: "bare-nested", method: "POST", url: "/api/now/batch/", headers, body: b64({ rest_requests: [] }) },
            { id: "other-host", method: "GET", url: "//evil.example/api/now/table/incident", headers },
            { id: "dots-inside", method: "GET", url: `/api/now/table/../table/incident/${id}`, headers },
          ],
        },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.batch_request_id, "b1");
      const byId = Object.fromEntries(res.body.serviced_requests.map((s: { id: string }) => [s.id, s]));
      assert.equal(byId.list.status_code, 200);
      assert.equal(decode(byId.list.body).result.length, 1);
      assert.ok(byId.list.headers.some((h: { name: string; value: string }) => h.name === "x-total-count" && /^\d+$/.test(h.value)));
      assert.equal(byId.insert.status_code, 201);
      assert.equal(decode(byId.insert.body).result.short_description, "from a batch");
      assert.equal(byId.patch.status_code, 200);
      assert.equal(decode(byId.patch.body).result.state, "2");
      assert.equal(byId.missing.status_code, 404);
      assert.equal(decode(byId.missing.body).status, "failure");
      assert.equal(byId.denied.status_code, 403, "the sub-request meets the same ACL as a direct call");
      assert.equal(byId.delete.status_code, 403, "deleting incidents needs admin, in a batch as directly");
      assert.equal(byId["pre-delete"].status_code, 200);
      assert.deepEqual(res.body.unserviced_requests.sort(), ["bare-nested", "dots-metrics", "dots-nested", "dots-registry", "encoded-dots", "nested", "oauth", "other-host"]);
      assert.equal(byId["dots-inside"].status_code, 200, "dots that stay inside /api/now/ are served, resolved");
      assert.equal(typeof byId.list.execution_time, "number");
    });

    test("an admin's batch deletes many records, each answered 204 with an empty body", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: `bulk ${i}` } })).body.result.sys_id);
      const res = await api(server, "POST", "/api/now/v1/batch", {
        token: admin.token,
        body: { batch_request_id: "del", rest_requests: ids.map((id) => ({ id, method: "DELETE", url: `/api/now/table/incident/${id}`, headers: [{ name: "Content-Type", value: "application/json" }] })) },
      });
      assert.deepEqual(res.body.serviced_requests.map((s: { status_code: number; body: string }) => [s.status_code, s.body]), ids.map(() => [204, ""]));
      for (const id of ids) assert.equal((await api(server, "GET", `/api/now/table/incident/${id}`, { token: admin.token })).status, 404);
    });

    test("a batch cannot borrow other credentials: sub-request Authorization headers are ignored", async () => {
      const res = await api(server, "POST", "/api/now/v1/batch", {
        token: user.token,
        body: { batch_request_id: "b2", rest_requests: [{ id: "x", method: "POST", url: "/api/now/table/oauth_entity", headers: [{ name: "Authorization", value: `Bearer ${admin.token}` }], body: b64({ name: "Borrowed" }) }] },
      });
      assert.equal(res.body.serviced_requests[0].status_code, 403);
    });

    test("unauthenticated: 401; malformed: 400 with the envelope; nothing written", async () => {
      const before = await tableCounts(server.instance.store);
      const anonymous = await api(server, "POST", "/api/now/v1/batch", { body: { rest_requests: [] } });
      assert.equal(anonymous.status, 401);
      const malformed = await api(server, "POST", "/api/now/v1/batch", { token: user.token, body: { rest_requests: [{ id: "a", method: "TRACE", url: "/api/now/table/incident" }] } });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.status, "failure");
      assert.match(malformed.body.error.message, /method/);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("long queries: a URL too long for a direct GET is a 431 that names the limit and the Batch API, which serves it, up to 64 KiB", async () => {
      assert.equal((await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "needle" } })).status, 201);
      // 2 000 conditions' worth of text in one: far past a direct request's 16 KiB of URL and headers.
      const longQuery = `/api/now/table/incident?sysparm_fields=short_description&sysparm_query=${encodeURIComponent(`short_description=needle^ORdescriptionIN${Array.from({ length: 2000 }, (_, i) => `value${i}`).join(",")}`)}`;
      assert.ok(longQuery.length > 20_000 && longQuery.length < 65_536, String(longQuery.length));
      const direct = await rawGet(server, longQuery, user.token);
      assert.equal(direct.status, 431, direct.text);
      const refusal = JSON.parse(direct.text);
      assert.equal(refusal.status, "failure");
      assert.equal(refusal.error.message, "the request's URL and headers are too large: together they may be at most 16384 bytes; send a longer query through the Batch API (POST /api/now/v1/batch), whose URLs may be 65536 characters");
      assert.equal(refusal.error.detail, `invalid_request: ${refusal.error.message}`);
      const batched = await api(server, "POST", "/api/now/v1/batch", { token: user.token, body: { batch_request_id: "long", rest_requests: [{ id: "q", method: "GET", url: longQuery, headers: [] }] } });
      assert.equal(batched.status, 200, batched.text.slice(0, 500));
      const [served] = batched.body.serviced_requests;
      assert.equal(served.status_code, 200, Buffer.from(served.body, "base64").toString().slice(0, 500));
      assert.deepEqual(decode(served.body).result, [{ short_description: "needle" }]);
      const tooLong = `/api/now/table/incident?sysparm_query=short_description=${"x".repeat(65_536)}`;
      const refused = await api(server, "POST", "/api/now/v1/batch", { token: user.token, body: { rest_requests: [{ id: "q", method: "GET", url: tooLong, headers: [] }] } });
      assert.equal(refused.status, 400, refused.text.slice(0, 500));
      assert.equal(refused.body.error.message, "invalid batch request: rest_requests.0.url: a URL may be at most 65536 characters");
    });
  });
}

/** A GET on a connection of its own: the server closes it after a 431, which a pooled fetch may be reusing. */
function rawGet(server: TestInstance, path: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(`${server.base}${path}`, { agent: false, headers: { authorization: `Bearer ${token}`, accept: "application/json" } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
  });
}
