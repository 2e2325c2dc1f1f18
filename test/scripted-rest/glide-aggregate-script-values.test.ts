import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * A text group whose value begins with `javascript:` has an encoded query
 * (getAggregateEncodedQuery) that selects it: the value is quoted, `javascript:'…'`, which the
 * encoded query reads as that text, never as a script to run, a date macro or the caller. Unquoted,
 * `u_note=javascript:alert(1)` was refused and `u_note=javascript:gs.getUserID()` matched the
 * caller's sys_id instead of the text.
 */
const values = ["javascript:alert(1)", "javascript:gs.getUserID()", "javascript:x('it''s', \"q\") \\ a^b", "plain"];
const script = `var out = [];
var ga = new GlideAggregate('u_part'); ga.addAggregate('COUNT'); ga.groupBy('u_note'); ga.query();
while (ga.next()) { var q = ga.getAggregateEncodedQuery(), gr = new GlideRecord('u_part'); gr.addEncodedQuery(q); gr.query(); var found = [];
  while (gr.next()) found.push(gr.getValue('u_note'));
  out.push({ value: ga.getValue('u_note'), count: ga.getAggregate('COUNT'), query: q, found: found, error: gr.getLastErrorMessage() }); }
return out;`;

for (const dialect of dialectsUnderTest()) {
  describe(`GlideAggregate's encoded query of a group whose text begins with javascript: on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      user = await apiUser(server, "ada");
      const post = async (table: string, body: Record<string, unknown>) => {
        const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
        assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
      };
      await post("sys_db_object", { name: "u_part", label: "Part" });
      await post("sys_dictionary", { name: "u_part", element: "u_note", internal_type: "string" });
      for (const value of values) await post("u_part", { u_note: value });
      // The user the query runs for: the sys_id gs.getUserID() would have matched.
      await post("u_part", { u_note: user.sysId });
      await defineApi(server, admin, "x_script_values", "t", [{ name: "groups", http_method: "GET", relative_path: "/groups", operation_script: script }]);
    });
    after(() => server.close());

    test("each group's encoded query quotes a javascript: value and a GlideRecord given it finds exactly the group's record", async () => {
      const res = await api(server, "GET", "/api/x_script_values/t/groups", { token: user.token });
      assert.equal(res.status, 200, res.text);
      const byValue = new Map<string, { count: string; query: string; found: string[]; error: string | null }>(res.body.result.map((g: { value: string }) => [g.value, g]));
      assert.deepEqual(byValue.get("javascript:alert(1)"), { value: "javascript:alert(1)", count: "1", query: "u_note=javascript:'javascript:alert(1)'", found: ["javascript:alert(1)"], error: null });
      assert.deepEqual(byValue.get("javascript:gs.getUserID()")?.found, ["javascript:gs.getUserID()"], "the text, not the caller's sys_id");
      const quoted = byValue.get(values[2]!)!;
      assert.equal(quoted.query, "u_note=javascript:'javascript:x(\\'it\\'\\'s\\', \"q\") \\\\ a^^b'");
      assert.deepEqual(quoted.found, [values[2]]);
      assert.deepEqual(byValue.get("plain"), { value: "plain", count: "1", query: "u_note=plain", found: ["plain"], error: null });
      assert.equal(byValue.size, values.length + 1);
    });

    test("the Table API reads the same query as text, and a javascript: value that is no quoted text is still refused", async () => {
      const read = async (query: string) => api(server, "GET", `/api/now/table/u_part?${q({ sysparm_query: query, sysparm_fields: "u_note" })}`, { token: user.token });
      const found = await read("u_note=javascript:'javascript:gs.getUserID()'");
      assert.deepEqual(found.body.result, [{ u_note: "javascript:gs.getUserID()" }], found.text);
      const mine = await read("u_note=javascript:gs.getUserID()");
      assert.deepEqual(mine.body.result, [{ u_note: user.sysId }], "unquoted, it is still the caller's sys_id");
      for (const refused of ["u_note=javascript:alert(1)", "u_note=javascript:'a' + 'b'", "u_note=javascript:'a\\u0041'"]) {
        const res = await read(refused);
        assert.equal(res.status, 400, `${refused}: ${res.text}`);
      }
    });
  });
}
