import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dateGenerate } from "../../src/domain/date-generate.ts";
import { DateMacroError } from "../../src/domain/date-macros.ts";
import { parseEncodedQuery, QueryError } from "../../src/domain/encoded-query.ts";

describe("gs.dateGenerate in encoded-query values, as the platform's filter writes a picked date", () => {
  const expected: [string, string][] = [
    ["javascript:gs.dateGenerate('2026-01-15','start')", "2026-01-15 00:00:00"],
    ["javascript:gs.dateGenerate('2026-01-15','end')", "2026-01-15 23:59:59"],
    ["javascript:gs.dateGenerate('2026-01-15','13:05:09')", "2026-01-15 13:05:09"],
    ['javascript:gs.dateGenerate("2024-02-29", "end");', "2024-02-29 23:59:59"],
    ["javascript:gs.dateGenerate('0050-06-01','start')", "0050-06-01 00:00:00"],
    // pysnow's QueryBuilder.between() and its comparisons of datetimes.
    ['javascript:gs.dateGenerate("2026-01-15 13:05:09")', "2026-01-15 13:05:09"],
    ["javascript:gs.dateGenerate('2026-01-15 00:00:00')", "2026-01-15 00:00:00"],
  ];
  for (const [text, value] of expected) {
    test(`${text} is ${value}`, () => assert.equal(dateGenerate(text), value));
  }

  test("other values are not its business", () => {
    assert.equal(dateGenerate("javascript:gs.beginningOfToday()"), undefined);
    assert.equal(dateGenerate("2026-01-15 00:00:00"), undefined);
  });

  for (const text of [
    "javascript:gs.dateGenerate('2026-02-30','start')",
    "javascript:gs.dateGenerate('2026-01-15','24:00:00')",
    "javascript:gs.dateGenerate('2026-01-15','noon')",
    "javascript:gs.dateGenerate('2026-01-15')",
    "javascript:gs.dateGenerate('2026-01-15','start');gs.getUserID()",
    "javascript:gs.dateGenerate('2026-1-5','start')",
    "javascript:gs.dateGenerate('2026-01-15\",'start')",
    "javascript:gs.dateGenerate('2026-01-15 13:05:09\")",
    "javascript:gs.dateGenerate('2026-01-15 25:05:09')",
    "javascript:gs.dateGenerate('2026-01-15 13:05:09','end')",
  ]) {
    test(`refuses ${text}, naming it`, () => {
      assert.throws(() => dateGenerate(text), (error: Error) => error instanceof DateMacroError && error.message.includes(text.slice(0, 50)) && /takes a date 'YYYY-MM-DD'/.test(error.message));
    });
  }

  test("in a query: both sides of BETWEEN, the bounds of ON; a bad one is a QueryError", () => {
    const parsed = parseEncodedQuery("sys_created_onBETWEENjavascript:gs.dateGenerate('2026-01-01','00:00:00')@javascript:gs.dateGenerate('2026-01-31','23:59:59')^sys_updated_onON2026-01-15@javascript:gs.dateGenerate('2026-01-15','start')@javascript:gs.dateGenerate('2026-01-15','end')");
    assert.deepEqual(parsed.queries[0]!.map((g) => g[0]!.value), ["2026-01-01 00:00:00@2026-01-31 23:59:59", "2026-01-15 00:00:00@2026-01-15 23:59:59"]);
    assert.throws(() => parseEncodedQuery("sys_created_on>javascript:gs.dateGenerate('2026-13-01','start')"), QueryError);
  });
});
