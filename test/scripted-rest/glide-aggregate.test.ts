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
  // A walked group as a property, as GlideRecord's dot-walk reads it; with its reference grouped too, a walk beyond it reads the record.
  walked: `var ga = new GlideAggregate('incident'); ga.addQuery('active', true); ga.addAggregate('COUNT'); ga.groupBy('caller_id.user_name'); ga.query();
var beforeNext = ga.caller_id === undefined, groups = [];
while (ga.next()) { var e = ga.caller_id.user_name;
  groups.push({ value: ga.getValue('caller_id.user_name'), prop: e.toString(), text: '' + ga.caller_id.user_name, name: e.getName(), same: e === ga.caller_id.user_name, count: ga.getAggregate('COUNT'),
    own: [ga.getValue('caller_id'), ga.caller_id.toString(), ga.caller_id.nil()], notGrouped: [ga.caller_id.email === undefined, ga.priority === undefined] }); }
var both = new GlideAggregate('incident'); both.addQuery('caller_id', 'ADA_SYS_ID'); both.addAggregate('COUNT'); both.groupBy('caller_id'); both.groupBy('caller_id.user_name'); both.query(); both.next();
return { beforeNext: beforeNext, groups: groups, both: [both.caller_id.toString(), both.caller_id.user_name.toString(), both.caller_id.name.toString()] };`,
  total: `var out = {};
var ga = new GlideAggregate('incident'); ga.addQuery('active', true); ga.addAggregate('COUNT'); ga.addAggregate('SUM', 'priority'); ga.addAggregate('AVG', 'priority'); ga.addAggregate('MAX', 'priority'); ga.addAggregate('MIN', 'short_description'); ga.groupBy('caller_id');
out.beforeQuery = [ga.getTotal('COUNT'), ga.getLastErrorMessage()];
ga.query(); ga.next();
out.totals = [ga.getTotal('COUNT'), ga.getTotal('count', 'caller_id'), ga.getTotal('SUM', 'priority'), ga.getTotal('AVG', 'priority'), ga.getTotal('MAX', 'priority'), typeof ga.getTotal('COUNT')];
out.notAsked = [ga.getTotal('MIN', 'priority'), ga.getLastErrorMessage()];
out.unknown = [ga.getTotal('MEDIAN'), ga.getLastErrorMessage()];
out.notNumber = [ga.getTotal('MIN', 'short_description'), ga.getLastErrorMessage()];
var none = new GlideAggregate('incident'); none.addAggregate('COUNT'); none.groupBy('caller_id'); none.addHaving('COUNT', '>', 100); none.query();
out.none = [none.getRowCount(), none.getTotal('COUNT')];
try { ga.addBizCalendarTrend('sys_created_on', 'calendar'); out.unknownMethod = 'called'; } catch (e) { out.unknownMethod = String(e); }
return out;`,
  // Seeded in this order, so the records by sys_id have priorities 1, 2, 4, 1 (inactive), 3, 5.
  window: `function counts(setUp) { var ga = new GlideAggregate('incident'); ga.addAggregate('COUNT'); ga.groupBy('priority'); setUp(ga); ga.query(); var out = {};
  while (ga.next()) out[ga.getValue('priority')] = ga.getAggregate('COUNT'); return [out, ga.getLastErrorMessage()]; }
function sum(setUp) { var ga = new GlideAggregate('incident'); ga.addAggregate('SUM', 'priority'); setUp(ga); ga.query(); return ga.next() ? ga.getAggregate('SUM', 'priority') : null; }
return {
  first3: counts(function (ga) { ga.setAggregateWindow(0, 3); }), middle: counts(function (ga) { ga.setAggregateWindow(2, 5); }),
  past: counts(function (ga) { ga.setAggregateWindow(4, 100); }), empty: counts(function (ga) { ga.setAggregateWindow(3, 3); }),
  active: counts(function (ga) { ga.addQuery('active', true); ga.setAggregateWindow('2', '4'); }),
  ordered: counts(function (ga) { ga.addEncodedQuery('ORDERBYDESCpriority'); ga.setAggregateWindow(0, 2); }),
  ungrouped: [sum(function (ga) { ga.setAggregateWindow(1, 4); }), sum(function (ga) { ga.addEncodedQuery('ORDERBYDESCpriority'); ga.setAggregateWindow(0, 2); }), sum(function () {})],
  refused: [counts(function (ga) { ga.setAggregateWindow(-1, 2); }), counts(function (ga) { ga.setAggregateWindow(5, 2); }), counts(function (ga) { ga.setAggregateWindow(1.5, 3); })],
};`,
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
        { name: "walked", http_method: "GET", relative_path: "/walked", operation_script: scripts.walked.replace("ADA_SYS_ID", ada.sysId) },
        { name: "total", http_method: "GET", relative_path: "/total", operation_script: scripts.total },
        { name: "window", http_method: "GET", relative_path: "/window", operation_script: scripts.window },
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

    test("a walked group reads as a property through its path, as GlideRecord's dot-walk does; the reference it starts from holds no value", async () => {
      const res = await api(server, "GET", "/api/x_agg/t/walked", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const { beforeNext, groups, both } = res.body.result;
      assert.equal(beforeNext, true);
      const common = { name: "user_name", same: true, own: [null, "", true], notGrouped: [true, true] };
      assert.deepEqual(groups, [
        { ...common, value: "", prop: "", text: "", count: "1" },
        { ...common, value: "ada", prop: "ada", text: "ada", count: "3" },
        { ...common, value: "admin", prop: "admin", text: "admin", count: "1" },
      ]);
      assert.deepEqual(both, [ada.sysId, "ada", "ada Name"], "the grouped walk, and beyond the grouped reference the record");
    });

    test("getTotal sums an aggregate over every group as a Number; an aggregate not asked for is null and says why", async () => {
      const res = await api(server, "GET", "/api/x_agg/t/total", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const out = res.body.result;
      assert.deepEqual(out.beforeQuery, [null, "no query() to total"]);
      // Active groups: no caller (priority 5), ada (1, 2, 4), admin (3); AVG 5.0000 + 2.3333 + 3.0000.
      assert.deepEqual(out.totals, [5, 5, 15, 10.3333, 12, "number"]);
      assert.deepEqual(out.notAsked, [null, "MIN of priority was not asked for with addAggregate"]);
      assert.match(out.unknown[1], /^unknown aggregate "MEDIAN"/);
      assert.equal(out.unknown[0], null);
      assert.deepEqual(out.notNumber, [null, 'MIN of short_description is "agg", not a number to sum']);
      assert.deepEqual(out.none, [0, 0]);
      assert.equal(out.unknownMethod, "TypeError: not a function", "a method not offered fails as before");
    });

    test("setAggregateWindow aggregates only the records in the window, first inclusive, last exclusive, in the order a GlideRecord reads them", async () => {
      const res = await api(server, "GET", "/api/x_agg/t/window", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const out = res.body.result;
      assert.deepEqual(out.first3, [{ 1: "1", 2: "1", 4: "1" }, null]);
      assert.deepEqual(out.middle, [{ 1: "1", 3: "1", 4: "1" }, null]);
      assert.deepEqual(out.past, [{ 3: "1", 5: "1" }, null]);
      assert.deepEqual(out.empty, [{}, null]);
      assert.deepEqual(out.active, [{ 3: "1", 4: "1" }, null], "the window is over the records the query selects");
      assert.deepEqual(out.ordered, [{ 4: "1", 5: "1" }, null], "ORDERBY orders the records the window cuts");
      assert.deepEqual(out.ungrouped, ["7", "9", "16"]);
      for (const [groups, message] of out.refused) {
        assert.deepEqual(groups, {});
        assert.match(message, /^setAggregateWindow: firstRow and lastRow are whole numbers with 0 <= firstRow <= lastRow/);
      }
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
