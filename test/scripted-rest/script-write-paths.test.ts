import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * Every way a script reaches sys_ws_operation meets the save's check: a script that closes the
 * function it is the body of is refused with the line and column of its '}' too many, and
 * nothing changes. The Import Set API cannot write the table at all.
 */
const escape = "}); for (;;) {} (function () {";
const refusal = "operation_script: SyntaxError: the script closes more brackets or blocks than it opens: a '}' too many (line 1, column 1)";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
const decode = (body: string) => JSON.parse(Buffer.from(body, "base64").toString("utf8") || "null");

for (const dialect of dialectsUnderTest()) {
  describe(`Scripts written to sys_ws_operation by any path are checked, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let definition: string;
    let kept: string;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      const made = await defineApi(server, admin, "x_paths", "v1", [{ name: "kept", http_method: "GET", relative_path: "/kept", operation_script: "return 'kept';" }]);
      definition = made.definition;
      kept = made.operations[0]!;
    });
    after(() => server.close());

    const operations = async () => (await server.instance.store.db.selectFrom("sys_ws_operation").select(["sys_id", "name", "operation_script", "sys_mod_count"]).orderBy("sys_id").execute()).map((r) => ({ ...r, sys_mod_count: Number(r.sys_mod_count) }));
    const resource = (name: string, path: string) => ({ name, web_service_definition: definition, http_method: "GET", relative_path: path, operation_script: escape });

    test("the Table API's POST, PUT and PATCH (with display values too) answer 400 with the check's message", async () => {
      const before = await operations();
      const writes: [string, string, unknown][] = [
        ["POST", "/api/now/table/sys_ws_operation", resource("posted", "/posted")],
        ["POST", `/api/now/table/sys_ws_operation?${q({ sysparm_input_display_value: "true" })}`, { ...resource("posted", "/posted"), web_service_definition: "x_paths v1" }],
        ["PUT", `/api/now/table/sys_ws_operation/${kept}`, { operation_script: escape }],
        ["PATCH", `/api/now/table/sys_ws_operation/${kept}`, { operation_script: escape }],
        ["PATCH", `/api/now/table/sys_ws_operation/${kept}?${q({ sysparm_input_display_value: "true" })}`, { name: "renamed", operation_script: escape }],
      ];
      for (const [method, path, body] of writes) {
        const res = await api(server, method, path, { token: admin.token, body });
        assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
        assert.equal(res.body.error.message, refusal, `${method} ${path}`);
        assert.equal(res.body.status, "failure");
      }
      assert.deepEqual(await operations(), before, "nothing written");
    });

    test("a Batch API sub-request is refused the same way; its sibling is served", async () => {
      const before = await operations();
      const headers = [{ name: "Content-Type", value: "application/json" }, { name: "Accept", value: "application/json" }];
      const res = await api(server, "POST", "/api/now/v1/batch", {
        token: admin.token,
        body: {
          batch_request_id: "paths",
          rest_requests: [
            { id: "insert", method: "POST", url: "/api/now/table/sys_ws_operation", headers, body: b64(resource("batched", "/batched")) },
            { id: "patch", method: "PATCH", url: `/api/now/table/sys_ws_operation/${kept}`, headers, body: b64({ operation_script: escape }) },
            { id: "read", method: "GET", url: `/api/now/table/sys_ws_operation/${kept}`, headers },
          ],
        },
      });
      assert.equal(res.status, 200, res.text);
      const byId = Object.fromEntries(res.body.serviced_requests.map((s: { id: string }) => [s.id, s]));
      for (const id of ["insert", "patch"]) {
        assert.equal(byId[id].status_code, 400, id);
        assert.equal(decode(byId[id].body).error.message, refusal, id);
      }
      assert.equal(byId.read.status_code, 200);
      assert.deepEqual(await operations(), before, "nothing written");
    });

    test("a script's own data calls (table.insert, table.update, GlideRecord) are refused with the check's message", async () => {
      const fields = JSON.stringify(resource("inner", "/inner"));
      const script = [
        "var seen = [];",
        `try { await table.insert('sys_ws_operation', ${fields}); seen.push('inserted'); } catch (e) { seen.push(e.message); }`,
        `try { await table.update('sys_ws_operation', '${kept}', { operation_script: ${JSON.stringify(escape)} }); seen.push('updated'); } catch (e) { seen.push(e.message); }`,
        "var gr = new GlideRecord('sys_ws_operation'); gr.initialize();",
        `var f = ${fields}; for (var k in f) gr.setValue(k, f[k]);`,
        "seen.push(gr.insert() === null ? gr.getLastErrorMessage() : 'inserted');",
        "return seen;",
      ].join("\n");
      await defineApi(server, admin, "x_inner", "v1", [{ name: "writer", http_method: "POST", relative_path: "/", operation_script: script }]);
      const before = await operations();
      const res = await api(server, "POST", "/api/x_inner/v1", { token: admin.token, body: {} });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, [refusal, refusal, refusal]);
      assert.deepEqual(await operations(), before, "nothing written");
    });

    test("a transform map cannot target sys_ws_operation; one written to the database directly fails its rows and writes nothing", async () => {
      const post = async (table: string, body: Record<string, unknown>) => api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
      assert.equal((await post("sys_db_object", { name: "u_imp_ws", label: "Resource import", super_class: "sys_import_set_row" })).status, 201);
      const columns = ["u_name", "u_definition", "u_method", "u_path", "u_script"];
      for (const element of columns) assert.equal((await post("sys_dictionary", { name: "u_imp_ws", element, internal_type: "string", max_length: 1000 })).status, 201);
      const map = await post("sys_transform_map", { name: "Resources", source_table: "u_imp_ws", target_table: "sys_ws_operation" });
      assert.equal(map.status, 400, map.text);
      assert.equal(map.body.error.message, "target_table: sys_ws_operation cannot be the target of a transform");

      // As an older version's database, or a hand-made row, might hold one.
      const db = server.instance.store.db;
      const now = "2026-01-01 00:00:00";
      const system = { sys_created_on: now, sys_created_by: "admin", sys_updated_on: now, sys_updated_by: "admin", sys_mod_count: 0 };
      const mapId = randomBytes(16).toString("hex");
      await db.insertInto("sys_transform_map").values({ ...system, sys_id: mapId, name: "Resources", source_table: "u_imp_ws", target_table: "sys_ws_operation", active: 1, order: 100 }).execute();
      const targets = ["name", "web_service_definition", "http_method", "relative_path", "operation_script"];
      for (const [i, target] of targets.entries()) {
        await db.insertInto("sys_transform_entry").values({ ...system, sys_id: randomBytes(16).toString("hex"), map: mapId, source_field: columns[i]!, target_field: target, coalesce: 0, coalesce_case_sensitive: 0 }).execute();
      }
      const before = await operations();
      const res = await api(server, "POST", "/api/now/import/u_imp_ws", { token: admin.token, body: { u_name: "imported", u_definition: definition, u_method: "GET", u_path: "/imported", u_script: escape } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result.length, 1, res.text);
      assert.equal(res.body.result[0].status, "error");
      assert.equal(res.body.result[0].error_message, "sys_ws_operation cannot be the target of a transform");
      assert.deepEqual(await operations(), before, "nothing written");
    });
  });
}
