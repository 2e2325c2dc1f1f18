import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * The request, response and sn_ws_err a script sees, as ServiceNow documents RESTAPIRequest,
 * and RESTAPIRequestBody: a script written for the platform reads its request the same way here.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`ServiceNow's RESTAPIRequest on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_sn", "api", [
        {
          name: "body",
          http_method: "POST",
          relative_path: "/body",
          operation_script:
            "const body = request.body; const entries = []; while (body.hasNext()) entries.push(body.nextEntry());\n" +
            "return { data: body.data, dataString: body.dataString, entries, after: body.nextEntry() === undefined, name: body.name, keys: Object.keys(body), json: JSON.parse(JSON.stringify(body)) };",
        },
        {
          name: "headers",
          http_method: "GET",
          relative_path: "/headers",
          operation_script:
            "return { Accept: request.headers.Accept, accept: request.headers.accept, custom: request.getHeader('X-CUSTOM'), customProp: request.headers['x-Custom'], has: 'Accept' in request.headers,\n" +
            "  missing: request.getHeader('x-missing') === undefined, auth: [request.getHeader('Authorization'), request.headers.Authorization, request.headers.cookie], keys: Object.keys(request.headers).filter((k) => k !== k.toLowerCase()),\n" +
            "  uri: request.uri, url: request.url, queryString: request.queryString, queryParams: request.queryParams };",
        },
      ]);
    });
    after(() => server.close());

    const at = (path: string) => `${server.base}/api/x_sn/api${path}`;
    const post = (path: string, contentType: string, body: string) => http(at(path), { method: "POST", headers: { authorization: `Bearer ${ada.token}`, "content-type": contentType }, body });

    test("request.body is a RESTAPIRequestBody: data, dataString, and one entry for an object", async () => {
      const res = await post("/body", "application/json", '{"name": "user1", "id": 1234, "hasNext": "a field"}');
      assert.equal(res.status, 200, res.text);
      const data = { name: "user1", id: 1234, hasNext: "a field" };
      assert.deepEqual(res.body.data, data);
      assert.deepEqual(JSON.parse(res.body.dataString), data, "the same JSON, spacing aside");
      assert.deepEqual(res.body.entries, [data]);
      assert.equal(res.body.after, true, "nextEntry is undefined past the last entry");
      // Scripts written for earlier versions read the parsed object's fields on request.body.
      assert.equal(res.body.name, "user1");
      assert.deepEqual(res.body.keys, ["name", "id"], "documented members are not enumerable; a field named like one is shadowed");
      assert.deepEqual(res.body.json, { name: "user1", id: 1234 });
    });

    test("hasNext and nextEntry walk an array body; text and forms keep their dataString", async () => {
      const array = await post("/body", "application/json", '[{"name": "user1"}, {"name": "user2"}]');
      assert.equal(array.status, 200, array.text);
      assert.deepEqual(array.body.entries, [{ name: "user1" }, { name: "user2" }]);
      assert.deepEqual(array.body.keys, []);
      const text = await post("/body", "text/plain", "line one\n  line two");
      assert.equal(text.body.dataString, "line one\n  line two");
      assert.equal(text.body.data, "line one\n  line two");
      const form = await post("/body", "application/x-www-form-urlencoded", "name=ada&tag=a&tag=b");
      assert.deepEqual(form.body.data, { name: "ada", tag: ["a", "b"] });
      assert.equal(form.body.dataString, "name=ada&tag=a&tag=b");
      const none = await http(at("/body"), { method: "POST", headers: { authorization: `Bearer ${ada.token}` } });
      assert.equal(none.status, 200, none.text);
      assert.deepEqual([none.body.data, none.body.dataString, none.body.entries], [undefined, "", []]);
    });

    test("getHeader and headers.Name find a header whatever the case; credentials stay hidden; uri, url and queryString", async () => {
      const res = await api(server, "GET", "/api/x_sn/api/headers?active=false&name=now", { token: ada.token, headers: { "X-Custom": "custom value", cookie: "glide_session=1" } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.Accept, "application/json");
      assert.equal(res.body.accept, "application/json");
      assert.equal(res.body.custom, "custom value");
      assert.equal(res.body.customProp, "custom value");
      assert.equal(res.body.has, true);
      assert.equal(res.body.missing, true);
      assert.deepEqual(res.body.auth, [null, null, null], "Authorization and Cookie never reach the script (undefined, sent back as null)");
      assert.deepEqual(res.body.keys, [], "the names themselves are lowercase");
      assert.equal(res.body.uri, "/api/x_sn/api/headers");
      assert.equal(res.body.url, `${server.instance.config.publicUrl}/api/x_sn/api/headers?active=false&name=now`);
      assert.equal(res.body.queryString, "active=false&name=now");
      assert.deepEqual(res.body.queryParams, { active: "false", name: "now" });
    });

  });
}
