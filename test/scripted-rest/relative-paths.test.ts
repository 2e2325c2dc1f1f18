import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

const echoParams = "const p = request.pathParams; return Object.keys(p).map((k) => [k, p[k]]);";

for (const dialect of dialectsUnderTest()) {
  describe(`Scripted REST relative paths on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let definition: string;
    let existing: string;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      ({
        definition,
        operations: [existing = ""],
      } = await defineApi(server, admin, "x_paths", "api", [{ name: "plain", http_method: "GET", relative_path: "/plain", operation_script: "return 'plain';" }]));
    });
    after(() => server.close());

    const create = (body: Record<string, unknown>) =>
      api(server, "POST", "/api/now/table/sys_ws_operation", { token: admin.token, body: { name: "r", web_service_definition: definition, http_method: "POST", operation_script: echoParams, ...body } });
    const operationCount = async () => Number((await server.instance.store.db.selectFrom("sys_ws_operation").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

    test('a path with a "." or ".." segment is refused on create and on update, and nothing changes', async () => {
      const before = await operationCount();
      for (const path of ["/a/../b", "/..", "/./x", "/a/."]) {
        const res = await create({ relative_path: path });
        assert.equal(res.status, 400, `${path}: ${res.text}`);
        assert.match(res.body.error.message, /^relative_path: has the segment "\.{1,2}", which clients remove from a URL before sending it/, path);
      }
      assert.equal(await operationCount(), before);
      const patch = await api(server, "PATCH", `/api/now/table/sys_ws_operation/${existing}`, { token: admin.token, body: { relative_path: "/x/../plain" } });
      assert.equal(patch.status, 400, patch.text);
      const kept = await api(server, "GET", `/api/now/table/sys_ws_operation/${existing}`, { token: admin.token });
      assert.equal(kept.body.result.relative_path, "/plain");
    });

    test('an empty relative path (or null) is the API\'s root and is stored as "/", the field\'s default', async () => {
      for (const [method, path] of [["PUT", ""], ["DELETE", null]] as const) {
        const res = await create({ http_method: method, relative_path: path, operation_script: `return '${method}';` });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.result.relative_path, "/", `${JSON.stringify(path)} is stored as /`);
        const called = await api(server, method, "/api/x_paths/api", { token: admin.token });
        assert.equal(called.status, 200, called.text);
        assert.equal(called.body.result, method);
      }
    });

    test("any identifier names a path parameter, __proto__ and constructor too", async () => {
      const res = await create({ http_method: "GET", relative_path: "/p/{__proto__}/{constructor}/{prototype}" });
      assert.equal(res.status, 201, res.text);
      const called = await api(server, "GET", "/api/x_paths/api/p/one/two/three", { token: admin.token });
      assert.equal(called.status, 200, called.text);
      assert.deepEqual(called.body.result, [
        ["__proto__", "one"],
        ["constructor", "two"],
        ["prototype", "three"],
      ]);
    });
  });
}
