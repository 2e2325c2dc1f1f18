import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * GlideAggregate's grouping, ordering and having in a Scripted REST script, as the platform
 * documents them: orderBy/orderByDesc add their field to the groups, orderByAggregate puts the
 * largest first, addHaving has a form without a field and one with, COUNT of a field groups by
 * it, setGroup(false) groups by nothing. They run as the Aggregate API's having and order, so
 * the order matches /api/now/stats asked the same.
 */
const rows = "var out = []; while (ga.next()) out.push([ga.getValue('short_description'), ga.getAggregate(kind, field)]);";
const run = (body: string, kind = "COUNT", field = "") => `var kind = ${JSON.stringify(kind)}, field = ${field ? JSON.stringify(field) : "undefined"};
var ga = new GlideAggregate('incident'); ${body} ga.query(); ${rows} return { rows: out, error: ga.getLastErrorMessage() };`;
const scripts: Record<string, string> = {
  // The platform's orderByAggregate example: COUNT of a field, no groupBy, largest first.
  countDesc: run("ga.addAggregate('COUNT', 'short_description'); ga.orderByAggregate('count', 'short_description');", "COUNT", "short_description"),
  countOnly: run("ga.addAggregate('COUNT'); ga.groupBy('short_description'); ga.orderByAggregate('COUNT');"),
  sumDesc: run("ga.addAggregate('SUM', 'priority'); ga.groupBy('short_description'); ga.orderByAggregate('SUM', 'priority');", "SUM", "priority"),
  orderBy: run("ga.addAggregate('COUNT'); ga.orderBy('short_description');"),
  orderByDesc: run("ga.addAggregate('COUNT'); ga.orderByDesc('short_description');"),
  havingCount: run("ga.addAggregate('COUNT'); ga.groupBy('short_description'); ga.addHaving('COUNT', '>', '2'); ga.orderBy('short_description');"),
  // The platform's duplicate finder: COUNT of the field, no groupBy, addHaving with the field.
  duplicates: run("ga.addAggregate('COUNT', 'short_description'); ga.addHaving('COUNT', 'short_description', '>', 1);", "COUNT", "short_description"),
  havingSum: run("ga.addAggregate('SUM', 'priority'); ga.groupBy('short_description'); ga.addHaving('sum', 'priority', '>=', 6);", "SUM", "priority"),
  ungrouped: run("ga.addAggregate('COUNT', 'short_description'); ga.groupBy('state'); ga.orderByDesc('short_description'); ga.setGroup(false);"),
  ungroupedHaving: run("ga.addAggregate('COUNT'); ga.setGroup(false); ga.addHaving('COUNT', '>', 100);"),
  grouped: run("ga.addAggregate('COUNT', 'short_description'); ga.setGroup(true); ga.groupBy('short_description');"),
  caseless: `var out = [];
var ga = new GlideAggregate('incident'); ga.addAggregate('COUNT'); ga.addAggregate('SUM', 'priority'); ga.groupBy('description'); ga.query();
while (ga.next()) out.push([ga.getValue('description'), ga.description.toString(), ga.getAggregate('COUNT'), ga.getAggregate('SUM', 'priority')]);
var desc = new GlideAggregate('incident'); desc.addAggregate('COUNT'); desc.orderByDesc('description'); desc.query(); var down = [];
while (desc.next()) down.push(desc.getValue('description'));
return { rows: out, down: down };`,
  andCondition: run("var q = ga.addQuery('priority', '<=', 2); q.addCondition('short_description', 'network'); ga.addAggregate('COUNT');"),
  notNull: run("ga.addNotNullQuery('short_description').addOrCondition('priority', 5); ga.addAggregate('COUNT');"),
  isNull: run("ga.addNullQuery('short_description'); ga.addAggregate('COUNT');"),
  // The platform's example word for word but the field: the group's value read as a property, joined into text.
  property: `var count = new GlideAggregate('incident'); count.addAggregate('COUNT', 'short_description'); count.orderByAggregate('COUNT', 'short_description'); count.query();
var out = [];
while (count.next()) { var category = count.short_description; out.push(category + ': ' + count.getAggregate('COUNT', 'short_description')); }
var all = new GlideAggregate('incident'); all.addAggregate('COUNT', 'short_description'); all.setGroup(false); all.query(); all.next();
return { rows: out, ungrouped: all.short_description === undefined };`,
  refused: `var out = {};
var tries = {
  avgText: function (ga) { ga.addAggregate('COUNT'); ga.groupBy('state'); ga.orderByAggregate('AVG', 'short_description'); },
  badOperator: function (ga) { ga.addAggregate('COUNT'); ga.groupBy('state'); ga.addHaving('COUNT', 'LIKE', 1); },
  sumNoField: function (ga) { ga.addAggregate('COUNT'); ga.groupBy('state'); ga.addHaving('SUM', '>', 1); },
  median: function (ga) { ga.addAggregate('COUNT'); ga.groupBy('state'); ga.orderByAggregate('MEDIAN'); },
  notNumber: function (ga) { ga.addAggregate('COUNT'); ga.groupBy('state'); ga.addHaving('COUNT', '>', 'many'); },
  noValue: function (ga) { ga.addAggregate('COUNT'); ga.groupBy('state'); ga.addHaving('COUNT', '>', null); },
  badName: function (ga) { ga.addAggregate('COUNT'); ga.orderBy('Not a field'); },
  noSuchField: function (ga) { ga.addAggregate('COUNT'); ga.orderByDesc('no_such_field'); },
};
for (var name in tries) { var ga = new GlideAggregate('incident'); tries[name](ga); ga.query(); out[name] = [ga.next(), ga.getLastErrorMessage()]; }
var masked = new GlideAggregate('sys_user'); masked.addAggregate('COUNT'); masked.orderBy('failed_attempts'); masked.query(); out.masked = [masked.next(), masked.getLastErrorMessage()];
return out;`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideAggregate groups, order and having in Scripted REST scripts on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_agg_groups", "t", Object.entries(scripts).map(([name, script]) => ({ name, http_method: "GET", relative_path: `/${name}`, operation_script: script })));
      // The descriptions spell three words in several cases: "Disk" (4 records), "memory" (3), "VPN" (2).
      const seed: [string, number, string][] = [
        ["network", 1, "disk"], ["network", 2, "Disk"], ["network", 2, "DISK"],
        ["database", 4, "disk"],
        ["software", 3, "memory"], ["software", 3, "Memory"], ["software", 4, "MEMORY"], ["software", 5, "vpn"],
        ["hardware", 1, "VPN"], ["hardware", 5, ""],
        ["", 2, ""],
      ];
      for (const [text, priority, description] of seed) {
        const res = await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: text, priority: String(priority), description } });
        assert.equal(res.status, 201, res.text);
      }
    });
    after(() => server.close());

    const call = async (name: string) => {
      const res = await api(server, "GET", `/api/x_agg_groups/t/${name}`, { token: ada.token });
      assert.equal(res.status, 200, res.text);
      return res.body.result;
    };

    test("orderByAggregate('count', field) with COUNT of that field groups by it, largest count first, as the Aggregate API's COUNT^DESC", async () => {
      const expected = [["software", "4"], ["network", "3"], ["hardware", "2"], ["", "1"], ["database", "1"]];
      assert.deepEqual(await call("countDesc"), { rows: expected, error: null });
      assert.deepEqual(await call("countOnly"), { rows: expected, error: null });
      const stats = await api(server, "GET", `/api/now/stats/incident?${q({ sysparm_count: "true", sysparm_group_by: "short_description", sysparm_order_by: "COUNT^DESC" })}`, { token: ada.token });
      assert.deepEqual(stats.body.result.map((g: { stats: { count: string }; groupby_fields: { value: string }[] }) => [g.groupby_fields[0]!.value, g.stats.count]), expected);
    });

    test("orderByAggregate('SUM', field) orders the groups by that sum, largest first", async () => {
      assert.deepEqual(await call("sumDesc"), { rows: [["software", "15"], ["hardware", "6"], ["network", "5"], ["database", "4"], ["", "2"]], error: null });
    });

    test("orderBy and orderByDesc add their field to the groups and order by it", async () => {
      const ascending = [["", "1"], ["database", "1"], ["hardware", "2"], ["network", "3"], ["software", "4"]];
      assert.deepEqual(await call("orderBy"), { rows: ascending, error: null });
      const descending = await call("orderByDesc");
      assert.equal(descending.error, null);
      assert.deepEqual(descending.rows.slice(0, 4), [["software", "4"], ["network", "3"], ["hardware", "2"], ["database", "1"]]);
      assert.deepEqual([...descending.rows].sort(), [...ascending].sort(), "the same groups");
    });

    test("addHaving(aggregate, operator, value) and addHaving(aggregate, field, operator, value) keep the groups that pass", async () => {
      assert.deepEqual(await call("havingCount"), { rows: [["network", "3"], ["software", "4"]], error: null });
      const duplicates = await call("duplicates");
      assert.equal(duplicates.error, null);
      assert.deepEqual(duplicates.rows.map((r: string[]) => r[0]).sort(), ["hardware", "network", "software"]);
      assert.deepEqual((await call("havingSum")).rows.sort(), [["hardware", "6"], ["software", "15"]]);
    });

    test("a group's value reads as a property, as the platform's example reads count.category; ungrouped there is none", async () => {
      assert.deepEqual(await call("property"), { rows: ["software: 4", "network: 3", "hardware: 2", ": 1", "database: 1"], ungrouped: true });
    });

    test("groupBy on text groups without regard to case, as the Aggregate API does: one group per word, showing the least value stored, in caseless order", async () => {
      // By code point there would be eight groups, "DISK" before "Disk", "MEMORY", "VPN" and "disk".
      const rows = [["", "", "2", "7"], ["DISK", "DISK", "4", "9"], ["MEMORY", "MEMORY", "3", "10"], ["VPN", "VPN", "2", "6"]];
      assert.deepEqual(await call("caseless"), { rows, down: ["VPN", "MEMORY", "DISK", ""] });
    });

    test("setGroup(false) groups by nothing: one row over every record, which a having may filter out; setGroup(true) groups", async () => {
      assert.deepEqual(await call("ungrouped"), { rows: [[null, "11"]], error: null });
      assert.deepEqual(await call("ungroupedHaving"), { rows: [], error: null });
      assert.equal((await call("grouped")).rows.length, 5);
    });

    test("a GlideAggregate's condition takes addCondition too, and addNullQuery and addNotNullQuery return one", async () => {
      assert.deepEqual(await call("andCondition"), { rows: [[null, "3"]], error: null });
      assert.deepEqual(await call("notNull"), { rows: [[null, "10"]], error: null });
      assert.deepEqual(await call("isNull"), { rows: [[null, "1"]], error: null });
    });

    test("what the Aggregate API or the method refuses finds no groups and says why", async () => {
      const out = await call("refused");
      const expected: Record<string, RegExp> = {
        avgText: /AVG needs a numeric field; short_description is string/,
        badOperator: /^addHaving: unknown operator "LIKE"; = != > >= < <=$/,
        sumNoField: /^addHaving: SUM needs a field name$/,
        median: /^orderByAggregate: unknown aggregate "MEDIAN"/,
        notNumber: /count\^>\^many: the value must be a number/,
        noValue: /^addHaving: no value to compare COUNT with$/,
        badName: /^orderBy: "Not a field" is not a field name$/,
        noSuchField: /has no field "no_such_field"/,
        masked: /ada may not read the field sys_user\.failed_attempts/,
      };
      for (const [name, message] of Object.entries(expected)) {
        assert.equal(out[name][0], false, name);
        assert.match(out[name][1], message, name);
      }
    });
  });
}
