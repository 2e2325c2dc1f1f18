import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AggregateSyntaxError, parseAggregateOrderBy, parseFieldList, parseHaving } from "../../src/domain/aggregate-query.ts";

describe("Aggregate API parameter syntax", () => {
  test("sysparm_having is aggregate^field^operator^value, several joined by commas, aggregate names in any case", () => {
    assert.deepEqual(parseHaving("count^state^=^1,AVG^priority^>^3, max^sys_created_on^<=^2026-01-01 00:00:00"), [
      { aggregate: "count", field: "state", operator: "=", value: "1" },
      { aggregate: "avg", field: "priority", operator: ">", value: "3" },
      { aggregate: "max", field: "sys_created_on", operator: "<=", value: "2026-01-01 00:00:00" },
    ]);
    assert.deepEqual(parseHaving(""), []);
  });

  test("sysparm_order_by takes a field, AGGREGATE^field or COUNT, each with an optional ^DESC", () => {
    assert.deepEqual(parseAggregateOrderBy("priority,state^DESC,AVG^priority,sum^state^DESC,COUNT^DESC,count"), [
      { kind: "field", field: "priority", descending: false },
      { kind: "field", field: "state", descending: true },
      { kind: "aggregate", aggregate: "avg", field: "priority", descending: false },
      { kind: "aggregate", aggregate: "sum", field: "state", descending: true },
      { kind: "aggregate", aggregate: "count", descending: true },
      { kind: "aggregate", aggregate: "count", descending: false },
    ]);
  });

  test("field lists are trimmed and de-duplicated", () => {
    assert.deepEqual(parseFieldList("sysparm_group_by", " state, priority,state,,"), ["state", "priority"]);
  });

  test("a field may be a dot-walk, checked against the dictionary later", () => {
    assert.deepEqual(parseFieldList("sysparm_group_by", "caller_id.name,state"), ["caller_id.name", "state"]);
    assert.deepEqual(parseHaving("avg^u_site.u_floor^>^2"), [{ aggregate: "avg", field: "u_site.u_floor", operator: ">", value: "2" }]);
    assert.deepEqual(parseAggregateOrderBy("caller_id.name^DESC,MAX^caller_id.name"), [
      { kind: "field", field: "caller_id.name", descending: true },
      { kind: "aggregate", aggregate: "max", field: "caller_id.name", descending: false },
    ]);
  });

  const refused: [() => unknown, RegExp][] = [
    [() => parseHaving("count^priority^>"), /aggregate\^field\^operator\^value/],
    [() => parseHaving("count^priority^>^1^2"), /aggregate\^field\^operator\^value/],
    [() => parseHaving("median^priority^>^1"), /"median"/],
    [() => parseHaving("count^priority^LIKE^1"), /"LIKE"/],
    [() => parseHaving("count^Priority^>^1"), /does not name a field/],
    [() => parseHaving("count^priority^>^ "), /no value/],
    [() => parseAggregateOrderBy("AVG^priority^state"), /is not field/],
    [() => parseAggregateOrderBy("caller_id..name"), /does not name a field or a dot-walk such as caller_id\.name/],
    [() => parseFieldList("sysparm_group_by", "caller_id."), /does not name a field or a dot-walk/],
    [() => parseFieldList("sysparm_avg_fields", "priority;drop table incident"), /does not name a field/],
    [() => parseFieldList("sysparm_group_by", Array.from({ length: 51 }, (_, i) => `f${i}`).join(",")), /more than 50/],
  ];
  for (const [call, message] of refused) {
    test(`refuses: ${call.toString().slice(6, 70)}`, () => {
      assert.throws(call, (e: Error) => e instanceof AggregateSyntaxError && message.test(e.message));
    });
  }
});
