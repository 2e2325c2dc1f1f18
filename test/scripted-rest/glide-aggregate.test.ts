import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { SandboxLimits } from "../../src/scripting/sandbox-contract.ts";
import { runScriptOnThread } from "../../src/scripting/script-thread-pool.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * GlideAggregate in a Scripted REST script: the Aggregate API's statement and checks as the
 * caller, so a script's groups and numbers are what /api/now/stats answers for the same question.
 */
const scripts = {
  grouped: `var ga = new GlideAggregate('incident'); ga.addQuery('active', true);
ga.addAggregate('COUNT'); ga.addAggregate('AVG', 'priority'); ga.addAggregate('SUM', 'priority'); ga.addAggregate('MIN', 'priority'); ga.addAggregate('max', 'priority');
ga.groupBy('caller_id'); ga.query();
var groups = [];
while (ga.next()) groups.push({ caller: ga.getValue('caller_id'), name: ga.getDisplayValue('caller_id'), count: ga.getAggregate('COUNT'), avg: ga.getAggregate('AVG', 'priority'),
  sum: ga.getAggregate('SUM', 'priority'), min: ga.getAggregate('MIN', 'priority'), max: ga.getAggregate('MAX', 'priority'), notAsked: ga.getAggregate('AVG', 'state') });
var all = new GlideAggregate('incident'); var either = all.addQuery('priority', 1); either.addOrCondition('priority', 2); all.addAggregate('COUNT'); all.query();
return { groups: groups, rows: ga.getRowCount(), total: all.next() ? all.getAggregate('COUNT') : null, more: all.next(), encoded: all.getEncodedQuery() };`,
  refused: `var out = {};
var a = new GlideAggregate('incident'); a.addAggregate('AVG', 'short_description'); a.query(); out.notNumber = [a.next(), a.getLastErrorMessage()];
var b = new GlideAggregate('oauth_entity'); b.addAggregate('COUNT'); b.query(); out.table = [b.next(), b.getLastErrorMessage()];
var c = new GlideAggregate('incident'); c.addQuery('no_such_field', 'x'); c.addAggregate('COUNT'); c.query(); out.field = [c.next(), c.getLastErrorMessage()];
var d = new GlideAggregate('incident'); d.addAggregate('MEDIAN', 'priority'); d.query(); out.kind = [d.next(), d.getLastErrorMessage()];
var e = new GlideAggregate('sys_user'); e.addAggregate('COUNT'); e.groupBy('failed_attempts'); e.query(); out.masked = [e.next(), e.getLastErrorMessage()];
return out;`,
  // The platform's example reads a group's value as a property (count.category); here a reference, which walks on.
  properties: `function records(caller) { var gr = new GlideRecord('incident'); gr.addQuery('active', true); gr.addQuery('caller_id', caller); gr.query(); return gr.getRowCount(); }
var ga = new GlideAggregate('incident'); ga.addQuery('active', true); ga.addAggregate('COUNT', 'caller_id'); ga.query();
var beforeNext = ga.caller_id === undefined, groups = [], first = null;
while (ga.next()) {
  var caller = ga.caller_id;
  first = first || caller;
  groups.push({ value: caller.toString(), text: '' + caller, display: caller.getDisplayValue(), nil: caller.nil(), name: caller.getName(), same: caller === ga.caller_id,
    count: ga.getAggregate('COUNT', 'caller_id'), notGrouped: ga.priority === undefined,
    walked: caller.nil() ? [caller.user_name.toString(), caller.getRefRecord().isValidRecord()] : [caller.user_name.toString(), caller.getRefRecord().getValue('user_name'), records(caller)] });
}
var w = new GlideAggregate('incident'); w.addAggregate('COUNT'); w.groupBy('priority'); w.query(); w.next();
var write = [w.priority.toString(), w.priority.getDisplayValue()];
w.priority = '9'; write.push(w.getLastErrorMessage());
w.priority.setValue('8'); write.push(w.priority.toString(), w.getValue('priority'));
return { beforeNext: beforeNext, groups: groups, pastEnd: first.toString(), write: write };`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideAggregate in Scripted REST scripts on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_agg", "t", [
        { name: "grouped", http_method: "GET", relative_path: "/grouped", operation_script: scripts.grouped },
        { name: "refused", http_method: "GET", relative_path: "/refused", operation_script: scripts.refused },
        { name: "properties", http_method: "GET", relative_path: "/properties", operation_script: scripts.properties },
      ]);
      const seed = [
        { priority: "1", caller_id: ada.sysId },
        { priority: "2", caller_id: ada.sysId },
        { priority: "4", caller_id: ada.sysId },
        { priority: "1", caller_id: ada.sysId, active: "false" },
        { priority: "3", caller_id: admin.sysId },
        { priority: "5" },
      ];
      for (const body of seed) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: "agg", ...body } })).status, 201);
    });
    after(() => server.close());

    test("groups, COUNT, AVG, SUM, MIN and MAX as the Aggregate API answers them, and addOrCondition in its query", async () => {
      const res = await api(server, "GET", "/api/x_agg/t/grouped", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const stats = await api(server, "GET", `/api/now/stats/incident?${q({ sysparm_query: "active=true", sysparm_count: "true", sysparm_avg_fields: "priority", sysparm_sum_fields: "priority", sysparm_min_fields: "priority", sysparm_max_fields: "priority", sysparm_group_by: "caller_id", sysparm_display_value: "all" })}`, { token: ada.token });
      const expected = stats.body.result.map((g: { stats: Record<string, Record<string, string> & { count: string }>; groupby_fields: { value: string; display_value: string }[] }) => ({
        caller: g.groupby_fields[0]!.value, name: g.groupby_fields[0]!.display_value, count: g.stats.count, avg: g.stats.avg!.priority, sum: g.stats.sum!.priority, min: g.stats.min!.priority, max: g.stats.max!.priority, notAsked: null,
      }));
      assert.deepEqual(res.body.result.groups, expected);
      const adaGroup = res.body.result.groups.find((g: { caller: string }) => g.caller === ada.sysId);
      assert.deepEqual(adaGroup, { caller: ada.sysId, name: "ada Name", count: "3", avg: "2.3333", sum: "7", min: "1", max: "4", notAsked: null });
      assert.equal(res.body.result.rows, 3, "ada, admin and no caller");
      assert.deepEqual({ total: res.body.result.total, more: res.body.result.more, encoded: res.body.result.encoded }, { total: "3", more: false, encoded: "priority=1^ORpriority=2" });
    });

    test("a group's value reads as a property: the GlideElement a record's field is, walking through a reference, and read-only", async () => {
      const res = await api(server, "GET", "/api/x_agg/t/properties", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const { beforeNext, groups, pastEnd, write } = res.body.result;
      assert.equal(beforeNext, true, "no group before next()");
      const byValue = Object.fromEntries(groups.map((g: { value: string }) => [g.value, g]));
      const common = { name: "caller_id", same: true, notGrouped: true };
      assert.deepEqual(byValue[ada.sysId], { ...common, value: ada.sysId, text: ada.sysId, display: "ada Name", nil: false, count: "3", walked: ["ada", "ada", 3] });
      assert.deepEqual(byValue[admin.sysId], { ...common, value: admin.sysId, text: admin.sysId, display: "System Administrator", nil: false, count: "1", walked: ["admin", "admin", 1] });
      assert.deepEqual(byValue[""], { ...common, value: "", text: "", display: "", nil: true, count: "1", walked: ["", false] });
      assert.equal(groups.length, 3);
      assert.equal(pastEnd, "", "an element follows its GlideAggregate past the last group");
      const refusal = "priority is a group's value; a GlideAggregate writes nothing";
      assert.deepEqual(write, ["1", "1 - Critical", refusal, "1", "1"]);
    });

    test("what the Aggregate API refuses finds no groups and says why; the caller's ACL holds", async () => {
      const res = await api(server, "GET", "/api/x_agg/t/refused", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const { notNumber, table, field, kind, masked } = res.body.result;
      assert.equal(notNumber[0], false);
      assert.match(notNumber[1], /AVG needs a numeric field; short_description is string/);
      assert.equal(table[0], false);
      assert.match(table[1], /ada may not read records of the table oauth_entity/);
      assert.equal(field[0], false);
      assert.match(field[1], /has no field "no_such_field"/);
      assert.equal(kind[0], false);
      assert.match(kind[1], /unknown aggregate "MEDIAN"/);
      assert.equal(masked[0], false);
      assert.match(masked[1], /ada may not read the field sys_user.failed_attempts/);
    });
  });
}

describe("GlideAggregate under the run's limits", () => {
  test("each group counts as a record read", async () => {
    const limits: SandboxLimits = { timeoutMs: 5000, memoryBytes: 32 * 1024 * 1024, outputBytes: 65536, stackBytes: 262144, maxLogLines: 10, maxDataCalls: 100, maxDataCallsInFlight: 4, maxRowsRead: 2 };
    const groups = [1, 2, 3].map((n) => ({ stats: { count: String(n) }, groupby_fields: [{ field: "priority", value: String(n), display_value: String(n) }] }));
    const host = { log() {}, data: async () => groups };
    const script = "var ga = new GlideAggregate('incident'); ga.addAggregate('COUNT'); ga.groupBy('priority'); ga.query(); return ga.getRowCount();";
    const past = await runScriptOnThread({ requestJson: "{}", script, filename: "agg.js" }, limits, host);
    assert.equal(past.ok ? "ok" : past.kind, "rows");
    const within = await runScriptOnThread({ requestJson: "{}", script, filename: "agg.js" }, { ...limits, maxRowsRead: 3 }, host);
    assert.deepEqual(within.ok && JSON.parse(within.response.body!.text), { result: 3 });
  });
});
