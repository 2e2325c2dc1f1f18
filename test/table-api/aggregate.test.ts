import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * The Aggregate API against numbers the test works out itself from the records it created
 * (never with SQL): every aggregate, group-by, HAVING and ORDER BY, on both dialects.
 */
interface Incident {
  number: string;
  priority: number;
  state: number;
  active: boolean;
  caller: string;
  description: string;
}

const states = [1, 2, 3, 6, 7];
// One word in several cases: by code point "BANANA" < "Banana" < "Cherry" < "apple" < "banana" < "cherry".
const descriptions = ["apple", "Banana", "banana", "BANANA", "cherry", "Cherry", ""];
const avg = (values: number[]) => (values.length === 0 ? "" : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(4));
const sum = (values: number[]) => (values.length === 0 ? "" : String(values.reduce((a, b) => a + b, 0)));
const min = (values: number[]) => (values.length === 0 ? "" : String(Math.min(...values)));
const max = (values: number[]) => (values.length === 0 ? "" : String(Math.max(...values)));

function groupBy<K>(rows: Incident[], key: (r: Incident) => K): Map<K, Incident[]> {
  const out = new Map<K, Incident[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return out;
}

for (const dialect of dialectsUnderTest()) {
  describe(`Aggregate API (GET /api/now/stats/{table}) on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let counts: Record<string, number>;
    const incidents: Incident[] = [];
    const stats = (params: Record<string, string>, token = user.token, path = "/api/now/stats/incident") => api(server, "GET", `${path}?${q(params)}`, { token });
    const ok = async (params: Record<string, string>) => {
      const res = await stats(params);
      assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
      return res.body.result;
    };

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      // A fixed, uneven spread: 37 records over priorities, states, callers and active.
      for (let i = 0; i < 37; i++) {
        const body = { short_description: `Aggregate ${i}`, priority: String(1 + ((i * 7) % 5)), state: String(states[(i * 3) % 5]), active: i % 4 === 0 ? "false" : "true", description: descriptions[i % descriptions.length], ...(i % 3 === 0 ? {} : { caller_id: i % 3 === 1 ? user.sysId : admin.sysId }) };
        const res = await api(server, "POST", "/api/now/table/incident", { token: admin.token, body });
        assert.equal(res.status, 201, res.text);
        const r = res.body.result;
        incidents.push({ number: r.number, priority: Number(r.priority), state: Number(r.state), active: r.active === "true", caller: typeof r.caller_id === "object" ? r.caller_id.value : r.caller_id, description: r.description });
      }
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no aggregate wrote anything");
      await server.close();
    });

    test("sysparm_count alone counts every record; with sysparm_query only those it selects", async () => {
      assert.deepEqual(await ok({ sysparm_count: "true" }), { stats: { count: String(incidents.length) } });
      const selected = incidents.filter((r) => r.active && r.priority <= 2);
      assert.deepEqual(await ok({ sysparm_count: "true", sysparm_query: "active=true^priority<=2" }), { stats: { count: String(selected.length) } });
      assert.deepEqual(await ok({ sysparm_count: "true", sysparm_query: "priority=9" }), { stats: { count: "0" } });
    });

    test("AVG, MIN, MAX and SUM of several fields, numbers as strings; MIN/MAX of text and dates", async () => {
      const active = incidents.filter((r) => r.active);
      const result = await ok({ sysparm_query: "active=true", sysparm_count: "true", sysparm_avg_fields: "priority,state", sysparm_min_fields: "priority,number", sysparm_max_fields: "state,number", sysparm_sum_fields: "priority" });
      const numbers = active.map((r) => r.number).sort();
      assert.deepEqual(result, {
        stats: {
          count: String(active.length),
          avg: { priority: avg(active.map((r) => r.priority)), state: avg(active.map((r) => r.state)) },
          min: { priority: min(active.map((r) => r.priority)), number: numbers[0] },
          max: { state: max(active.map((r) => r.state)), number: numbers[numbers.length - 1] },
          sum: { priority: sum(active.map((r) => r.priority)) },
        },
      });
      const dates = await ok({ sysparm_min_fields: "sys_created_on", sysparm_max_fields: "sys_created_on" });
      assert.match(dates.stats.min.sys_created_on, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      assert.ok(dates.stats.min.sys_created_on <= dates.stats.max.sys_created_on);
      const none = await ok({ sysparm_query: "priority=9", sysparm_avg_fields: "priority", sysparm_sum_fields: "state", sysparm_max_fields: "number" });
      assert.deepEqual(none, { stats: { avg: { priority: "" }, max: { number: "" }, sum: { state: "" } } });
      // The platform writes every average with four decimals, a whole one too ("1.0000").
      assert.deepEqual(await ok({ sysparm_query: "priority=2", sysparm_avg_fields: "priority" }), { stats: { avg: { priority: "2.0000" } } });
      const whole = await ok({ sysparm_group_by: "priority", sysparm_avg_fields: "priority" });
      for (const group of whole) assert.equal(group.stats.avg.priority, `${group.groupby_fields[0].value}.0000`);
      assert.deepEqual(await ok({}), { stats: {} });
    });

    test("sysparm_group_by one field: a group per value, in value order, each with its own stats", async () => {
      const result = await ok({ sysparm_group_by: "priority", sysparm_count: "true", sysparm_avg_fields: "state", sysparm_sum_fields: "state" });
      const groups = [...groupBy(incidents, (r) => r.priority)].sort(([a], [b]) => a - b);
      assert.deepEqual(
        result,
        groups.map(([priority, rows]) => ({ stats: { count: String(rows.length), avg: { state: avg(rows.map((r) => r.state)) }, sum: { state: sum(rows.map((r) => r.state)) } }, groupby_fields: [{ field: "priority", value: String(priority) }] })),
      );
    });

    test("count by state and priority (the benchmark's question) matches every combination", async () => {
      const result = await ok({ sysparm_group_by: "state,priority", sysparm_count: "true" });
      const expected = [...groupBy(incidents, (r) => `${r.state}|${r.priority}`)]
        .map(([key, rows]) => ({ key: key.split("|").map(Number) as [number, number], count: rows.length }))
        .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1]);
      assert.deepEqual(
        result,
        expected.map((e) => ({ stats: { count: String(e.count) }, groupby_fields: [{ field: "state", value: String(e.key[0]) }, { field: "priority", value: String(e.key[1]) }] })),
      );
      assert.equal(result.reduce((n: number, g: any) => n + Number(g.stats.count), 0), incidents.length);
    });

    test("references and choices group by value; sysparm_display_value true shows labels and names, all shows both; empty first", async () => {
      const byCaller = groupBy(incidents, (r) => r.caller);
      const names: Record<string, string> = { "": "", [user.sysId]: "abel.tuter Name", [admin.sysId]: "System Administrator" };
      const plain = await ok({ sysparm_group_by: "caller_id", sysparm_count: "true" });
      assert.deepEqual(plain[0], { stats: { count: String(byCaller.get("")!.length) }, groupby_fields: [{ field: "caller_id", value: "" }] });
      assert.deepEqual(new Set(plain.map((g: any) => `${g.groupby_fields[0].value}=${g.stats.count}`)), new Set([...byCaller].map(([k, rows]) => `${k}=${rows.length}`)));
      const shown = await ok({ sysparm_group_by: "caller_id,priority", sysparm_count: "true", sysparm_display_value: "true", sysparm_query: "priority=1" });
      for (const g of shown) {
        const [caller, priority] = g.groupby_fields;
        assert.equal(priority.value, "1 - Critical");
        const id = Object.keys(names).find((k) => names[k] === caller.value)!;
        assert.equal(g.stats.count, String(incidents.filter((r) => r.caller === id && r.priority === 1).length));
      }
      const both = await ok({ sysparm_group_by: "state", sysparm_count: "true", sysparm_display_value: "all", sysparm_query: "state=6" });
      assert.deepEqual(both, [{ stats: { count: String(incidents.filter((r) => r.state === 6).length) }, groupby_fields: [{ field: "state", value: "6", display_value: "Resolved" }] }]);
      const flags = await ok({ sysparm_group_by: "active", sysparm_count: "true" });
      assert.deepEqual(flags.map((g: any) => [g.groupby_fields[0].value, g.stats.count]), [["false", String(incidents.filter((r) => !r.active).length)], ["true", String(incidents.filter((r) => r.active).length)]]);
    });

    test("text groups without regard to case, as the platform's collation makes them: one group per word, showing the least value stored, in caseless order", async () => {
      const fields = (result: any[]) => result.map((g: any) => [...g.groupby_fields.map((f: any) => f.value), g.stats.count]);
      const caseless = [...groupBy(incidents, (r) => r.description.toLowerCase())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const expected = caseless.map(([, rows]) => [rows.map((r) => r.description).sort()[0], String(rows.length)]);
      assert.deepEqual(expected.map(([value]) => value), ["", "apple", "BANANA", "Cherry"], "the seed mixes cases");
      assert.deepEqual(fields(await ok({ sysparm_group_by: "description", sysparm_count: "true" })), expected);
      assert.deepEqual(fields(await ok({ sysparm_group_by: "description", sysparm_count: "true", sysparm_order_by: "description^DESC" })), [...expected].reverse());
      assert.deepEqual(fields(await ok({ sysparm_group_by: "description", sysparm_count: "true", sysparm_query: "ORDERBYDESCdescription" })), [...expected].reverse());
      // The records `=` selects are the group's: the same count, the same value shown.
      const bananas = incidents.filter((r) => r.description.toLowerCase() === "banana");
      assert.deepEqual(fields(await ok({ sysparm_group_by: "description", sysparm_count: "true", sysparm_query: "description=banana" })), [["BANANA", String(bananas.length)]]);
      const bigger = await ok({ sysparm_group_by: "description", sysparm_count: "true", sysparm_having: `count^description^>^${caseless[0]![1].length}` });
      assert.deepEqual(fields(bigger), expected.filter(([, count]) => Number(count) > caseless[0]![1].length));
      // With a second group, a number, each word still makes one group per value of it.
      const byActive = caseless.flatMap(([, rows]) =>
        [false, true].flatMap((active) => {
          const some = rows.filter((r) => r.active === active);
          return some.length === 0 ? [] : [[some.map((r) => r.description).sort()[0], String(active), String(some.length)]];
        }),
      );
      assert.deepEqual(fields(await ok({ sysparm_group_by: "description,active", sysparm_count: "true" })), byActive);
    });

    test("sysparm_having keeps only the groups whose aggregates pass every condition", async () => {
      const byState = [...groupBy(incidents, (r) => r.state)].sort(([a], [b]) => a - b);
      const result = await ok({ sysparm_group_by: "state", sysparm_count: "true", sysparm_having: "count^priority^>^7" });
      assert.deepEqual(result.map((g: any) => g.groupby_fields[0].value), byState.filter(([, rows]) => rows.length > 7).map(([s]) => String(s)));
      const mean = (rows: Incident[]) => rows.reduce((n, r) => n + r.priority, 0) / rows.length;
      const both = await ok({ sysparm_group_by: "state", sysparm_avg_fields: "priority", sysparm_having: "avg^priority^>=^2.9,max^priority^=^5" });
      assert.deepEqual(both.map((g: any) => g.groupby_fields[0].value), byState.filter(([, rows]) => mean(rows) >= 2.9 && rows.some((r) => r.priority === 5)).map(([s]) => String(s)));
      // COUNT of a field counts the records where it is not empty: a third of the callers are.
      const callers = await ok({ sysparm_group_by: "priority", sysparm_count: "true", sysparm_having: "count^caller_id^>=^5" });
      const byPriorityCallers = [...groupBy(incidents, (r) => r.priority)].sort(([a], [b]) => a - b);
      assert.deepEqual(callers.map((g: any) => g.groupby_fields[0].value), byPriorityCallers.filter(([, rows]) => rows.filter((r) => r.caller !== "").length >= 5).map(([p]) => String(p)));
      assert.notDeepEqual(callers.length, byPriorityCallers.filter(([, rows]) => rows.length >= 5).length, "the seed makes the two differ");
      const summed = await ok({ sysparm_group_by: "priority", sysparm_count: "true", sysparm_having: "sum^state^<^30" });
      const byPriority = [...groupBy(incidents, (r) => r.priority)].sort(([a], [b]) => a - b);
      assert.deepEqual(summed.map((g: any) => g.groupby_fields[0].value), byPriority.filter(([, rows]) => rows.reduce((n, r) => n + r.state, 0) < 30).map(([p]) => String(p)));
    });

    test("sysparm_order_by orders groups by a grouped field or an aggregate, DESC when asked; ties by group value", async () => {
      const byPriority = [...groupBy(incidents, (r) => r.priority)];
      const desc = await ok({ sysparm_group_by: "priority", sysparm_count: "true", sysparm_order_by: "priority^DESC" });
      assert.deepEqual(desc.map((g: any) => g.groupby_fields[0].value), byPriority.map(([p]) => p).sort((a, b) => b - a).map(String));
      const byCount = await ok({ sysparm_group_by: "priority", sysparm_count: "true", sysparm_order_by: "COUNT^DESC" });
      assert.deepEqual(byCount.map((g: any) => g.groupby_fields[0].value), byPriority.sort(([pa, a], [pb, b]) => b.length - a.length || pa - pb).map(([p]) => String(p)));
      const byState = [...groupBy(incidents, (r) => r.state)];
      const mean = (rows: Incident[]) => rows.reduce((n, r) => n + r.priority, 0) / rows.length;
      const byAvg = await ok({ sysparm_group_by: "state", sysparm_avg_fields: "priority", sysparm_order_by: "AVG^priority" });
      assert.deepEqual(byAvg.map((g: any) => g.groupby_fields[0].value), byState.sort(([sa, a], [sb, b]) => mean(a) - mean(b) || sa - sb).map(([s]) => String(s)));
      const fromQuery = await ok({ sysparm_group_by: "state", sysparm_count: "true", sysparm_query: "ORDERBYDESCstate" });
      assert.deepEqual(fromQuery.map((g: any) => g.groupby_fields[0].value), [...new Set(incidents.map((r) => r.state))].sort((a, b) => b - a).map(String));
    });

    test("/api/now/v1/stats answers the same; HTTP Basic works as on the Table API", async () => {
      const v1 = await stats({ sysparm_count: "true" }, user.token, "/api/now/v1/stats/incident");
      assert.deepEqual(v1.body, { result: { stats: { count: String(incidents.length) } } });
      const basic = await http(`${server.base}/api/now/stats/incident?sysparm_count=true`, { headers: { accept: "application/json", authorization: `Basic ${Buffer.from(`abel.tuter:${user.password}`).toString("base64")}` } });
      assert.equal(basic.status, 200);
      assert.equal(basic.body.result.stats.count, String(incidents.length));
    });

    const refused: [Record<string, string>, number, RegExp, string?][] = [
      [{ sysparm_avg_fields: "nofield" }, 400, /no field "nofield"/],
      [{ sysparm_avg_fields: "short_description" }, 400, /AVG needs a numeric field; short_description is string/],
      [{ sysparm_sum_fields: "active" }, 400, /SUM needs a numeric field; active is boolean/],
      [{ sysparm_sum_fields: "caller_id" }, 400, /SUM needs a numeric field/],
      [{ sysparm_min_fields: "caller_id.nofield" }, 400, /sysparm_min_fields: "caller_id.nofield" ends at "nofield", which is no field of sys_user/],
      [{ sysparm_avg_fields: "caller_id.name" }, 400, /AVG needs a numeric field; caller_id.name is string/],
      [{ sysparm_group_by: "priority,nofield" }, 400, /sysparm_group_by: .*no field "nofield"/],
      [{ sysparm_group_by: "priority", sysparm_order_by: "state" }, 400, /state is not a sysparm_group_by field/],
      [{ sysparm_group_by: "priority", sysparm_order_by: "AVG^short_description" }, 400, /AVG needs a numeric field/],
      [{ sysparm_group_by: "priority", sysparm_query: "ORDERBYnumber" }, 400, /^sysparm_query: ORDERBYnumber orders by a field that is not in sysparm_group_by/],
      [{ sysparm_having: "count^priority^>" }, 400, /aggregate\^field\^operator\^value/],
      [{ sysparm_having: "median^priority^>^1" }, 400, /"median" is not one of/],
      [{ sysparm_having: "count^priority^~^1" }, 400, /"~" is not one of/],
      [{ sysparm_having: "count^priority^>^many" }, 400, /must be a number/],
      [{ sysparm_having: "avg^number^>^1" }, 400, /AVG needs a numeric field; number is string/],
      [{ sysparm_having: "max^sys_created_on^>^yesterday" }, 400, /YYYY-MM-DD/],
      [{ sysparm_query: "nofield=1", sysparm_count: "true" }, 400, /no field "nofield"/],
      [{ sysparm_query: "priority=high" }, 400, /whole number/],
      [{ sysparm_query: "GROUPBYstate" }, 400, /sysparm_group_by on the Aggregate API/],
      [{ sysparm_query: "sys_created_on>javascript:gs.getUserID()", sysparm_count: "true" }, 400, /gs\.getUserID/],
      [{ sysparm_count: "yes" }, 400, /true or false/],
      [{ sysparm_display_value: "maybe" }, 400, /sysparm_display_value/],
      [{ sysparm_min_fields: "password_hash" }, 400, /no field "password_hash"/, "/api/now/stats/sys_user"],
      [{ sysparm_max_fields: "failed_attempts" }, 403, /may not read the field sys_user.failed_attempts/, "/api/now/stats/sys_user"],
      [{ sysparm_group_by: "locked_until" }, 403, /may not read the field sys_user.locked_until/, "/api/now/stats/sys_user"],
      [{ sysparm_count: "true" }, 403, /may not read/, "/api/now/stats/oauth_entity"],
      [{ sysparm_count: "true" }, 404, /Invalid table/, "/api/now/stats/no_such_table"],
    ];
    for (const [params, status, message, path] of refused) {
      test(`${path ?? "/api/now/stats/incident"} ${JSON.stringify(params)} is a ${status} naming the problem`, async () => {
        const res = await stats(params, user.token, path);
        assert.equal(res.status, status, res.text);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, message);
      });
    }

    test("without credentials it is a 401; a repeated parameter is a 400", async () => {
      const anonymous = await api(server, "GET", "/api/now/stats/incident?sysparm_count=true");
      assert.equal(anonymous.status, 401);
      const repeated = await api(server, "GET", "/api/now/stats/incident?sysparm_group_by=state&sysparm_group_by=priority", { token: user.token });
      assert.equal(repeated.status, 400);
    });

    test("an admin may aggregate fields others cannot read", async () => {
      const res = await stats({ sysparm_max_fields: "failed_attempts", sysparm_count: "true" }, admin.token, "/api/now/stats/sys_user");
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.stats.max.failed_attempts, "0");
    });
  });
}
