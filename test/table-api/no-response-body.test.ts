import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * X-no-response-body: true on a POST, PUT or PATCH answers with no body, as the platform does;
 * the write happens, and the status, Location and ETag stay.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Table API X-no-response-body on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      user = await apiUser(server, "beth.anglin");
    });
    after(() => server.close());

    const noBody = { "x-no-response-body": "true" };

    test("POST answers 201 with an empty body and the Location of the record it made", async () => {
      const res = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "quiet" }, headers: noBody });
      assert.equal(res.status, 201);
      assert.equal(res.text, "");
      const location = res.headers.get("location")!;
      assert.match(location, /\/api\/now\/table\/incident\/[0-9a-f]{32}$/);
      const read = await api(server, "GET", new URL(location).pathname, { token: user.token });
      assert.equal(read.body.result.short_description, "quiet");
    });

    test("a value shown only once (a new client's secret) is sent all the same", async () => {
      const admin = await apiUser(server, "admin");
      const res = await api(server, "POST", "/api/now/table/oauth_entity", { token: admin.token, body: { name: "Quiet client", redirect_url: "https://quiet.example/cb" }, headers: noBody });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.result.client_secret, /^\S{20,}$/);
    });

    test("PUT and PATCH answer 200 with an empty body and change the record; false or no header keeps the body", async () => {
      const created = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "before" }, headers: { "x-no-response-body": "false" } })).body.result;
      assert.equal(created.short_description, "before");
      const path = `/api/now/table/incident/${created.sys_id}`;
      for (const [method, text] of [["PATCH", "patched"], ["PUT", "put"]] as const) {
        const res = await api(server, method, path, { token: user.token, body: { short_description: text }, headers: { "x-no-response-body": "TRUE" } });
        assert.equal(res.status, 200, method);
        assert.equal(res.text, "", method);
        assert.ok(res.headers.get("etag"), `${method} still sends the version`);
        assert.equal((await api(server, "GET", path, { token: user.token })).body.result.short_description, text);
      }
      const answered = await api(server, "PATCH", path, { token: user.token, body: { short_description: "loud" } });
      assert.equal(answered.body.result.short_description, "loud");
    });
  });
}
