import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * GlideAggregate's addTrend and getAggregateEncodedQuery in a Scripted REST script, as the
 * platform's reference shows them: periods read as getValue('timeref') (`9/2018`, `3/2018`,
 * `2018`, `Thursday/2023` or `Thursday`), in time order, and the encoded query of a group, which
 * a GlideRecord given it reads exactly the group's records with. Intervals the platform lists
 * without showing their values throw rather than answer with periods of our own making.
 */
// Each group as [timeref, COUNT, the records a GlideRecord finds with the group's encoded query (and the GlideAggregate's own, `base`), that query].
const rows = `function rows(ga, table, base) { var out = [];
  while (ga.next()) { var q = ga.getAggregateEncodedQuery(), gr = new GlideRecord(table); if (base) gr.addEncodedQuery(base); gr.addEncodedQuery(q); gr.query();
    out.push([ga.getValue('timeref'), ga.getAggregate('COUNT'), gr.getRowCount(), q]); }
  return out; }`;
const trend = (setUp: string) => `${rows}
var ga = new GlideAggregate('u_ticket'); ga.addAggregate('COUNT'); ${setUp} ga.query();
return { rows: rows(ga, 'u_ticket'), error: ga.getLastErrorMessage(), total: ga.getTotal('COUNT') };`;
const scripts: Record<string, string> = {
  month: trend("ga.addTrend('u_opened', 'month'); ga.setGroup(false);"),
  capitalMonth: trend("ga.addTrend('u_opened', 'Month');"),
  quarter: trend("ga.addTrend('u_opened', 'quarter');"),
  year: trend("ga.addTrend('u_opened', 'year');"),
  having: trend("ga.addTrend('u_opened', 'month'); ga.addHaving('COUNT', '>', '1'); ga.setGroup(false);"),
  walked: trend("ga.addTrend('u_project.u_started', 'year');"),
  days: `var out = {};
function days(included) { var ga = new GlideAggregate('u_ticket'); ga.addAggregate('COUNT'); ga.addTrend('u_opened', 'dayofweek'); if (included !== undefined) ga.setIntervalYearIncluded(included); ga.query();
  var got = []; while (ga.next()) got.push([ga.getValue('timeref'), ga.getAggregate('COUNT')]); return got; }
out.withYear = days(); out.withoutYear = days(false); out.explicitYear = days(true);
var ga = new GlideAggregate('u_ticket'); ga.addAggregate('COUNT'); ga.addTrend('u_opened', 'dayofweek'); ga.query(); ga.next();
out.emptyGroup = ga.getAggregateEncodedQuery(); ga.next();
try { ga.getAggregateEncodedQuery(); out.dayQuery = 'answered'; } catch (e) { out.dayQuery = String(e); }
return out;`,
  // The scoped reference's example: groupBy('category'), getAggregateEncodedQuery() per group.
  groups: `${rows}
var ga = new GlideAggregate('u_ticket'); ga.addAggregate('COUNT'); ga.groupBy('u_category'); ga.groupBy('u_priority'); ga.query();
var out = [], before = ga.getAggregateEncodedQuery();
while (ga.next()) { var q = ga.getAggregateEncodedQuery(), gr = new GlideRecord('u_ticket'); gr.addEncodedQuery(q); gr.query();
  out.push([ga.getValue('u_category'), ga.getValue('u_priority'), ga.getAggregate('COUNT'), gr.getRowCount(), q, ga.getQuery() === q]); }
var all = new GlideAggregate('u_ticket'); all.addAggregate('COUNT'); all.query(); all.next();
var both = new GlideAggregate('u_ticket'); both.addAggregate('COUNT'); both.addTrend('u_opened', 'year'); both.groupBy('u_category'); both.addQuery('u_priority', 1); both.query();
return { rows: out, before: before, after: ga.getAggregateEncodedQuery(), ungrouped: all.getAggregateEncodedQuery(), both: rows(both, 'u_ticket', 'u_priority=1') };`,
  refused: `var out = {};
var tries = {
  text: function (ga) { ga.addTrend('u_category', 'month'); },
  unknown: function (ga) { ga.addTrend('u_opened', 'fortnight'); },
  units: function (ga) { ga.addTrend('u_opened', 'month', 5); },
  twice: function (ga) { ga.addTrend('u_opened', 'month'); ga.addTrend('u_opened', 'year'); },
  badName: function (ga) { ga.addTrend('Not a field', 'month'); },
  noField: function (ga) { ga.addTrend('u_nothing', 'month'); },
};
for (var name in tries) { var ga = new GlideAggregate('u_ticket'); ga.addAggregate('COUNT'); tries[name](ga); ga.query(); out[name] = [ga.next(), ga.getLastErrorMessage()]; }
out.unpublished = ['date', 'hour', 'minute', 'week', 'value', 'WEEK'].map(function (interval) {
  try { new GlideAggregate('u_ticket').addTrend('u_opened', interval); return 'accepted'; } catch (e) { return String(e); } });
return out;`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideAggregate addTrend and getAggregateEncodedQuery in Scripted REST scripts on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      user = await apiUser(server, "ada");
      const post = async (table: string, body: Record<string, unknown>): Promise<string> => {
        const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
        assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
        return res.body.result.sys_id;
      };
      await post("sys_db_object", { name: "u_project", label: "Project" });
      await post("sys_db_object", { name: "u_ticket", label: "Ticket" });
      for (const [name, element, internal_type, reference] of [
        ["u_project", "u_started", "glide_date_time"],
        ["u_ticket", "u_opened", "glide_date_time"],
        ["u_ticket", "u_category", "string"],
        ["u_ticket", "u_priority", "integer"],
        ["u_ticket", "u_project", "reference", "u_project"],
      ]) {
        await post("sys_dictionary", { name, element, internal_type, ...(reference ? { reference } : {}) });
      }
      const early = await post("u_project", { u_started: "2017-12-31 23:59:59" });
      const late = await post("u_project", { u_started: "2018-01-01 00:00:00" });
      // Monday, the last second of September (a Sunday), the first of October (a Monday), a Thursday,
      // New Year 2019 (a Tuesday), a Thursday of 2023, and no date.
      const seed: [string, string, number, string?][] = [
        ["2018-09-03 10:00:00", "Hardware", 1, early],
        ["2018-09-30 23:59:59", "hardware", 1, early],
        ["2018-10-01 00:00:00", "Software", 2, late],
        ["2018-11-15 12:00:00", "software", 1],
        ["2019-01-01 00:00:00", "a^b", 2, late],
        ["2023-03-02 08:00:00", "", 1],
        ["", "HARDWARE", 1],
      ];
      for (const [opened, category, priority, project] of seed) await post("u_ticket", { u_opened: opened, u_category: category, u_priority: priority, ...(project ? { u_project: project } : {}) });
      await defineApi(server, admin, "x_trend", "t", Object.entries(scripts).map(([name, script]) => ({ name, http_method: "GET", relative_path: `/${name}`, operation_script: script })));
    });
    after(() => server.close());

    const call = async (name: string) => {
      const res = await api(server, "GET", `/api/x_trend/t/${name}`, { token: user.token });
      assert.equal(res.status, 200, res.text);
      return res.body.result;
    };
    const on = (label: string, first: string, last: string, field = "u_opened") => `${field}ON${label}@javascript:gs.dateGenerate('${first}','start')@javascript:gs.dateGenerate('${last}','end')`;

    test("addTrend by month reads each month as getValue('timeref') (9/2018), in time order, records with no date first; setGroup(false) keeps the trend", async () => {
      const months = [
        ["", "1", 1, "u_openedISEMPTY"],
        ["9/2018", "2", 2, on("9/2018", "2018-09-01", "2018-09-30")],
        ["10/2018", "1", 1, on("10/2018", "2018-10-01", "2018-10-31")],
        ["11/2018", "1", 1, on("11/2018", "2018-11-01", "2018-11-30")],
        ["1/2019", "1", 1, on("1/2019", "2019-01-01", "2019-01-31")],
        ["3/2023", "1", 1, on("3/2023", "2023-03-01", "2023-03-31")],
      ];
      assert.deepEqual(await call("month"), { rows: months, error: null, total: 7 });
      assert.deepEqual((await call("capitalMonth")).rows, months, "the platform's example writes 'Month'");
      assert.deepEqual((await call("having")).rows, [months[1]], "addHaving filters the periods");
    });

    test("addTrend by quarter (3/2018) and by year (2018), a walked date-time too", async () => {
      assert.deepEqual((await call("quarter")).rows, [
        ["", "1", 1, "u_openedISEMPTY"],
        ["3/2018", "2", 2, on("3/2018", "2018-07-01", "2018-09-30")],
        ["4/2018", "2", 2, on("4/2018", "2018-10-01", "2018-12-31")],
        ["1/2019", "1", 1, on("1/2019", "2019-01-01", "2019-03-31")],
        ["1/2023", "1", 1, on("1/2023", "2023-01-01", "2023-03-31")],
      ]);
      assert.deepEqual((await call("year")).rows, [
        ["", "1", 1, "u_openedISEMPTY"],
        ["2018", "4", 4, on("2018", "2018-01-01", "2018-12-31")],
        ["2019", "1", 1, on("2019", "2019-01-01", "2019-12-31")],
        ["2023", "1", 1, on("2023", "2023-01-01", "2023-12-31")],
      ]);
      // No project is the empty period, as an empty reference is the empty value of a walk.
      assert.deepEqual((await call("walked")).rows, [
        ["", "3", 3, "u_project.u_startedISEMPTY"],
        ["2017", "2", 2, on("2017", "2017-01-01", "2017-12-31", "u_project.u_started")],
        ["2018", "2", 2, on("2018", "2018-01-01", "2018-12-31", "u_project.u_started")],
      ]);
    });

    test("addTrend by dayofweek reads Thursday/2023, or Thursday after setIntervalYearIncluded(false), Sunday first; its groups have no encoded query", async () => {
      const out = await call("days");
      const withYear = [["", "1"], ["Sunday/2018", "1"], ["Monday/2018", "2"], ["Thursday/2018", "1"], ["Tuesday/2019", "1"], ["Thursday/2023", "1"]];
      assert.deepEqual(out.withYear, withYear);
      assert.deepEqual(out.explicitYear, withYear);
      assert.deepEqual(out.withoutYear, [["", "1"], ["Sunday", "1"], ["Monday", "2"], ["Tuesday", "1"], ["Thursday", "2"]]);
      assert.equal(out.emptyGroup, "u_openedISEMPTY");
      assert.match(out.dayQuery, /^Error: GlideAggregate\.getAggregateEncodedQuery: the dayofweek trend's group Sunday\/2018 has no encoded query here/);
    });

    test("getAggregateEncodedQuery (and getQuery) is each group's condition, which selects exactly the group's records: text in any case, an empty group, a caret doubled", async () => {
      const out = await call("groups");
      assert.deepEqual(out.rows, [
        ["", "1", "1", 1, "u_categoryISEMPTY^u_priority=1", true],
        ["a^b", "2", "1", 1, "u_category=a^^b^u_priority=2", true],
        ["HARDWARE", "1", "3", 3, "u_category=HARDWARE^u_priority=1", true],
        ["software", "1", "1", 1, "u_category=software^u_priority=1", true],
        ["Software", "2", "1", 1, "u_category=Software^u_priority=2", true],
      ]);
      assert.deepEqual([out.before, out.after, out.ungrouped], ["", "", ""], "no group before next(), past the last, or without groups");
      assert.deepEqual(out.both, [
        ["", "1", 1, "u_openedISEMPTY^u_category=HARDWARE"],
        ["2018", "2", 2, `${on("2018", "2018-01-01", "2018-12-31")}^u_category=Hardware`],
        ["2018", "1", 1, `${on("2018", "2018-01-01", "2018-12-31")}^u_category=software`],
        ["2023", "1", 1, `${on("2023", "2023-01-01", "2023-12-31")}^u_categoryISEMPTY`],
      ]);
    });

    test("a trend on what is not a date-time, an unknown interval, units, a second trend find nothing and say why; unpublished intervals throw", async () => {
      const out = await call("refused");
      const expected: Record<string, RegExp> = {
        text: /^addTrend: u_category is string; a trend needs a date-time field$/,
        unknown: /^addTrend: unknown interval "fortnight"; year, quarter, month, dayofweek$/,
        units: /^addTrend: a number of units applies to the minute interval only$/,
        twice: /^addTrend: one trend per GlideAggregate; it trends u_opened by month already$/,
        badName: /^addTrend: "Not a field" is not a field name$/,
        noField: /has no field "u_nothing"/,
      };
      for (const [name, message] of Object.entries(expected)) {
        assert.equal(out[name][0], false, name);
        assert.match(out[name][1], message, name);
      }
      const intervals = ["date", "hour", "minute", "week", "value", "week"];
      assert.deepEqual(out.unpublished, intervals.map((i) => `Error: GlideAggregate.addTrend: the ${i} interval is not supported here: the platform does not publish how its periods read; year, quarter, month, dayofweek are`));
    });
  });
}
