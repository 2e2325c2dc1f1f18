import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * GlideRecord in a Scripted REST script: the platform's synchronous API, over the caller's own
 * Table API rights, answered through a resource over real HTTP.
 */
const scripts = {
  list: `var results = [];
var gr = new GlideRecord('incident');
gr.addQuery('active', true); gr.addQuery('priority', '<=', 2); gr.addEncodedQuery('caller_id.name=ada Name');
gr.orderByDesc('priority'); gr.setLimit(10); gr.query();
while (gr.next()) { results.push({ number: gr.getValue('number'), desc: gr.short_description.toString(), caller: gr.caller_id.getDisplayValue(), callerId: gr.caller_id.toString(), noDescription: gr.description.nil(), missing: gr.no_such_field === undefined }); }
return { results: results, count: gr.getRowCount(), after: gr.isValidRecord() };`,
  write: `var n = new GlideRecord('incident'); n.initialize(); n.short_description = request.body.data.text; n.priority = 3; var id = n.insert();
var one = new GlideRecord('incident'); var found = one.get(id); var before = one.state.toString(); one.setValue('state', 2); var updated = one.update();
var byNumber = new GlideRecord('incident'); var foundByNumber = byNumber.get('number', one.number.toString());
return { id: id, found: found, number: n.getValue('number'), valid: one.isValidRecord(), unique: one.getUniqueValue() === id, before: before, updated: updated === id,
  state: byNumber.getValue('state'), stateLabel: byNumber.state.getDisplayValue(), foundByNumber: foundByNumber,
  missing: new GlideRecord('incident').get('0123456789abcdef0123456789abcdef'), fresh: new GlideRecord('incident').isValidRecord() };`,
  remove: `var gr = new GlideRecord('incident'); if (!gr.get(request.pathParams.id)) return { found: false };
var deleted = gr.deleteRecord(); return { found: true, deleted: deleted, error: gr.getLastErrorMessage() };`,
  denied: `var role = new GlideRecord('sys_user_role'); role.name = 'made_by_glide'; var roleId = role.insert();
var defs = new GlideRecord('sys_ws_definition'); defs.query(); var anyDef = defs.next();
return { roleId: roleId, roleError: role.getLastErrorMessage(), anyDef: anyDef, defsError: defs.getLastErrorMessage() };`,
  find: `var gr = new GlideRecord('incident'); gr.addQuery('short_description', request.queryParams.q[0]); gr.query();
var found = []; while (gr.next()) found.push(gr.short_description.toString());
return { found: found, error: gr.getLastErrorMessage() };`,
  pages: `for (var i = 0; i < 150; i++) { var n = new GlideRecord('incident'); n.short_description = 'page ' + i; n.insert(); }
var gr = new GlideRecord('incident'); gr.addQuery('short_description', 'STARTSWITH', 'page '); gr.query();
var counted = gr.getRowCount(), seen = {}, read = 0;
while (gr.next()) { seen[gr.getUniqueValue()] = true; read++; }
var limited = new GlideRecord('incident'); limited.addQuery('short_description', 'STARTSWITH', 'page '); limited.setLimit(120); limited.query();
var limitedCount = limited.getRowCount(), limitedRead = 0; while (limited.next()) limitedRead++;
return { counted: counted, read: read, distinct: Object.keys(seen).length, limitedCount: limitedCount, limitedRead: limitedRead };`,
  either: `var gr = new GlideRecord('incident'); var q = gr.addQuery('short_description', request.queryParams.a[0]);
var more = q.addOrCondition('short_description', request.queryParams.b[0]); more.addOrCondition('short_description', 'printer jam');
gr.addQuery('priority', '!=', 3); gr.orderBy('priority'); gr.query();
var found = []; while (gr.next()) found.push(gr.short_description.toString());
return { found: found, encoded: gr.getEncodedQuery(), error: gr.getLastErrorMessage() };`,
  eitherInvalid: `var out = {};
var a = new GlideRecord('incident'); a.addQuery('priority', 1).addOrCondition('no_such_field', 'x'); a.query(); out.badField = [a.next(), a.getLastErrorMessage()];
var b = new GlideRecord('incident'); b.addQuery('priority', 1).addOrCondition('priority', 'LOOKS LIKE', 2); b.query(); out.badOperator = [b.next(), b.getLastErrorMessage()];
var c = new GlideRecord('incident'); c.addQuery('priority', 1).addOrCondition('priority', null); c.query(); out.noValue = [c.next(), c.getLastErrorMessage()];
var d = new GlideRecord('incident'); d.addQuery('no_such_field', 1).addOrCondition('priority', 1); d.query(); out.badFirst = [d.next(), d.getLastErrorMessage()];
return out;`,
  invalid: `var out = {};
var a = new GlideRecord('incident'); a.addQuery('no_such_field', 'x'); a.query(); out.badField = [a.next(), a.getLastErrorMessage()];
var b = new GlideRecord('incident'); b.addQuery('number', undefined); b.query(); out.noValue = [b.next(), b.getLastErrorMessage()];
var c = new GlideRecord('incident'); c.addQuery('number', 'LOOKS LIKE', 'x'); c.query(); out.badOperator = [c.next(), c.getLastErrorMessage()];
return out;`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideRecord in Scripted REST scripts on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    before(async () => {
      // 150 inserts and their reads in one run (the pages test) outlast the default 2 s on a loaded machine; the time limit itself is glide-record-limits.test.ts's.
      server = await startTestInstance(dialect, { scriptTimeoutMs: 20_000 });
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_glide", "t", [
        { name: "list", http_method: "GET", relative_path: "/list", operation_script: scripts.list },
        { name: "write", http_method: "POST", relative_path: "/write", operation_script: scripts.write },
        { name: "remove", http_method: "DELETE", relative_path: "/incidents/{id}", operation_script: scripts.remove },
        { name: "denied", http_method: "GET", relative_path: "/denied", operation_script: scripts.denied },
        { name: "find", http_method: "GET", relative_path: "/find", operation_script: scripts.find },
        { name: "invalid", http_method: "GET", relative_path: "/invalid", operation_script: scripts.invalid },
        { name: "either", http_method: "GET", relative_path: "/either", operation_script: scripts.either },
        { name: "eitherInvalid", http_method: "GET", relative_path: "/either-invalid", operation_script: scripts.eitherInvalid },
        { name: "pages", http_method: "POST", relative_path: "/pages", operation_script: scripts.pages },
      ]);
      const seed = [
        { short_description: "mail down", priority: "1", caller_id: ada.sysId },
        { short_description: "vpn slow", priority: "2", caller_id: ada.sysId },
        { short_description: "printer jam", priority: "3", caller_id: ada.sysId },
        { short_description: "old outage", priority: "1", caller_id: ada.sysId, active: "false" },
        { short_description: "someone else's", priority: "1", caller_id: admin.sysId },
        { short_description: "caret^ORtrick", priority: "4" },
      ];
      for (const body of seed) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body })).status, 201);
    });
    after(() => server.close());

    test("a ported query loop: addQuery, an encoded dot-walk, order, limit, next, elements and getRowCount", async () => {
      const res = await api(server, "GET", "/api/x_glide/t/list", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const { results, count, after: afterLoop } = res.body.result;
      assert.deepEqual(results.map((r: { desc: string }) => r.desc), ["vpn slow", "mail down"], "priority 2 then 1: ordered by priority descending");
      for (const r of results) {
        assert.match(r.number, /^INC\d{7}$/);
        assert.equal(r.caller, "ada Name");
        assert.equal(r.callerId, ada.sysId);
        assert.equal(r.noDescription, true);
        assert.equal(r.missing, true, "a field the table lacks is undefined");
      }
      assert.equal(count, 2);
      assert.equal(afterLoop, false, "past the last record nothing is loaded");
    });

    test("insert, get by sys_id and by field, setValue, update: written as the caller, with the table's numbering and defaults", async () => {
      const res = await api(server, "POST", "/api/x_glide/t/write", { token: ada.token, body: { text: "written by glide" } });
      assert.equal(res.status, 200, res.text);
      const r = res.body.result;
      assert.match(r.id, /^[0-9a-f]{32}$/);
      assert.match(r.number, /^INC\d{7}$/, "the record read back after insert carries its number");
      assert.deepEqual({ found: r.found, valid: r.valid, unique: r.unique, before: r.before, updated: r.updated, state: r.state, stateLabel: r.stateLabel, foundByNumber: r.foundByNumber, missing: r.missing, fresh: r.fresh }, {
        found: true, valid: true, unique: true, before: "1", updated: true, state: "2", stateLabel: "In Progress", foundByNumber: true, missing: false, fresh: false,
      });
      const stored = await api(server, "GET", `/api/now/table/incident/${r.id}`, { token: admin.token });
      assert.equal(stored.body.result.short_description, "written by glide");
      assert.equal(stored.body.result.state, "2");
      assert.equal(stored.body.result.priority, "3");
      assert.equal(stored.body.result.sys_created_by, "ada");
      assert.equal(stored.body.result.sys_updated_by, "ada");
    });

    test("the caller's ACL holds: refused writes return false or null with the reason, and change nothing", async () => {
      const made = await api(server, "POST", "/api/now/table/incident", { token: ada.token, body: { short_description: "keep me" } });
      const id = made.body.result.sys_id;
      const refused = await api(server, "DELETE", `/api/x_glide/t/incidents/${id}`, { token: ada.token });
      assert.equal(refused.status, 200, refused.text);
      assert.equal(refused.body.result.deleted, false);
      assert.match(refused.body.result.error, /ada may not delete records of the table incident/);
      assert.equal((await api(server, "GET", `/api/now/table/incident/${id}`, { token: admin.token })).status, 200, "still there");
      const denied = await api(server, "GET", "/api/x_glide/t/denied", { token: ada.token });
      assert.equal(denied.status, 200, denied.text);
      assert.equal(denied.body.result.roleId, null);
      assert.match(denied.body.result.roleError, /may not create records in the table sys_user_role/);
      assert.equal(denied.body.result.anyDef, false, "a table the caller may not read has no records for it");
      assert.match(denied.body.result.defsError, /may not read records of the table sys_ws_definition/);
      const roles = await api(server, "GET", `/api/now/table/sys_user_role?${q({ sysparm_query: "name=made_by_glide" })}`, { token: admin.token });
      assert.deepEqual(roles.body.result, []);
      const allowed = await api(server, "DELETE", `/api/x_glide/t/incidents/${id}`, { token: admin.token });
      assert.deepEqual(allowed.body.result, { found: true, deleted: true, error: null });
      assert.equal((await api(server, "GET", `/api/now/table/incident/${id}`, { token: admin.token })).status, 404);
    });

    test("a caret in an addQuery value stays in the value: it cannot add conditions", async () => {
      const injected = await api(server, "GET", `/api/x_glide/t/find?${q({ q: "nothing^ORshort_descriptionISNOTEMPTY" })}`, { token: ada.token });
      assert.equal(injected.status, 200, injected.text);
      assert.deepEqual(injected.body.result, { found: [], error: null });
      const literal = await api(server, "GET", `/api/x_glide/t/find?${q({ q: "caret^ORtrick" })}`, { token: ada.token });
      assert.deepEqual(literal.body.result, { found: ["caret^ORtrick"], error: null });
    });

    test("an invalid query finds nothing (not every record, as the platform's default would) and says why", async () => {
      const res = await api(server, "GET", "/api/x_glide/t/invalid", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const { badField, noValue, badOperator } = res.body.result;
      assert.equal(badField[0], false);
      assert.match(badField[1], /has no field "no_such_field"/);
      assert.deepEqual(noValue, [false, "addQuery: no value for number"]);
      assert.equal(badOperator[0], false);
      assert.match(badOperator[1], /unknown operator/);
    });

    test("addOrCondition ORs with the condition addQuery returned, escaping its value as addQuery does", async () => {
      const res = await api(server, "GET", `/api/x_glide/t/either?${q({ a: "mail down", b: "vpn slow" })}`, { token: ada.token });
      assert.equal(res.status, 200, res.text);
      // printer jam is priority 3: the ORs are one condition, ANDed with priority!=3.
      assert.deepEqual(res.body.result, {
        found: ["mail down", "vpn slow"],
        encoded: "short_description=mail down^ORshort_description=vpn slow^ORshort_description=printer jam^priority!=3^ORDERBYpriority",
        error: null,
      });
      const injected = await api(server, "GET", `/api/x_glide/t/either?${q({ a: "nothing", b: "nothing^ORshort_descriptionISNOTEMPTY" })}`, { token: ada.token });
      assert.deepEqual(injected.body.result.found, [], "a caret in an OR value cannot add conditions");
      assert.equal(injected.body.result.encoded, "short_description=nothing^ORshort_description=nothing^^ORshort_descriptionISNOTEMPTY^ORshort_description=printer jam^priority!=3^ORDERBYpriority");
      const literal = await api(server, "GET", `/api/x_glide/t/either?${q({ a: "nothing", b: "caret^ORtrick" })}`, { token: ada.token });
      assert.deepEqual(literal.body.result.found, ["caret^ORtrick"], "the doubled caret is the value's own");
      assert.equal(literal.body.result.error, null);
    });

    test("an invalid OR condition, or an OR on an invalid one, finds nothing and says why", async () => {
      const res = await api(server, "GET", "/api/x_glide/t/either-invalid", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const { badField, badOperator, noValue, badFirst } = res.body.result;
      assert.equal(badField[0], false);
      assert.match(badField[1], /has no field "no_such_field"/);
      assert.deepEqual(badOperator, [false, 'addOrCondition: unknown operator "LOOKS LIKE"']);
      assert.deepEqual(noValue, [false, "addOrCondition: no value for priority"]);
      assert.equal(badFirst[0], false);
      assert.match(badFirst[1], /has no field "no_such_field"/);
    });

    test("a query past one page reads on as next() needs it, each record once; getRowCount counts before reading", async () => {
      const res = await api(server, "POST", "/api/x_glide/t/pages", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, { counted: 150, read: 150, distinct: 150, limitedCount: 120, limitedRead: 120 });
    });

    test("the async table API still answers beside it", async () => {
      await defineApi(server, admin, "x_glide_async", "t", [{ http_method: "GET", relative_path: "/", operation_script: "const rows = await table.query('incident', 'short_description=vpn slow', 1); return rows[0].priority;" }]);
      const res = await api(server, "GET", "/api/x_glide_async/t", { token: ada.token });
      assert.deepEqual(res.body, { result: "2" });
    });
  });
}
