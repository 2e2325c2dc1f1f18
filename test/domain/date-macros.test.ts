import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { DateMacroError, evaluateDateMacro, macroNames, parseDateMacro } from "../../src/domain/date-macros.ts";
import { parseEncodedQuery, QueryError } from "../../src/domain/encoded-query.ts";
import { readScriptLiteral } from "../../src/domain/script-literal.ts";

const runs = Number(process.env.FUZZ_RUNS ?? 2000);
// A Tuesday, the last day of a month and of a quarter.
const now = new Date("2026-03-31T13:45:30Z");
const at = (text: string, when = now) => evaluateDateMacro(parseDateMacro(text), when);

describe("date macros: javascript:gs.… in encoded-query values, evaluated in UTC", () => {
  const expected: [string, string][] = [
    ["gs.beginningOfToday()", "2026-03-31 00:00:00"],
    ["gs.endOfToday()", "2026-03-31 23:59:59"],
    ["gs.beginningOfYesterday()", "2026-03-30 00:00:00"],
    ["gs.endOfYesterday()", "2026-03-30 23:59:59"],
    ["gs.beginningOfTomorrow()", "2026-04-01 00:00:00"],
    ["gs.endOfTomorrow()", "2026-04-01 23:59:59"],
    ["gs.daysAgo(7)", "2026-03-24 13:45:30"],
    ["gs.daysAgoStart(7)", "2026-03-24 00:00:00"],
    ["gs.daysAgoEnd(7)", "2026-03-24 23:59:59"],
    ["gs.daysAgo(-1)", "2026-04-01 13:45:30"],
    ["gs.daysAgoStart(0)", "2026-03-31 00:00:00"],
    ["gs.hoursAgo(2)", "2026-03-31 11:45:30"],
    ["gs.hoursAgoStart(2)", "2026-03-31 11:00:00"],
    ["gs.hoursAgoEnd(2)", "2026-03-31 11:59:59"],
    ["gs.hoursAgoStart(14)", "2026-03-30 23:00:00"],
    ["gs.minutesAgo(50)", "2026-03-31 12:55:30"],
    ["gs.minutesAgoStart(50)", "2026-03-31 12:55:00"],
    ["gs.minutesAgoEnd(50)", "2026-03-31 12:55:59"],
    ["gs.beginningOfThisWeek()", "2026-03-30 00:00:00"],
    ["gs.endOfThisWeek()", "2026-04-05 23:59:59"],
    ["gs.beginningOfLastWeek()", "2026-03-23 00:00:00"],
    ["gs.endOfLastWeek()", "2026-03-29 23:59:59"],
    ["gs.beginningOfNextWeek()", "2026-04-06 00:00:00"],
    ["gs.endOfNextWeek()", "2026-04-12 23:59:59"],
    ["gs.beginningOfThisMonth()", "2026-03-01 00:00:00"],
    ["gs.endOfThisMonth()", "2026-03-31 23:59:59"],
    ["gs.beginningOfLastMonth()", "2026-02-01 00:00:00"],
    ["gs.endOfLastMonth()", "2026-02-28 23:59:59"],
    ["gs.beginningOfNextMonth()", "2026-04-01 00:00:00"],
    ["gs.endOfNextMonth()", "2026-04-30 23:59:59"],
    ["gs.monthsAgo(1)", "2026-02-28 13:45:30"],
    ["gs.monthsAgoStart(3)", "2025-12-01 00:00:00"],
    ["gs.monthsAgoEnd(1)", "2026-02-28 23:59:59"],
    ["gs.beginningOfThisQuarter()", "2026-01-01 00:00:00"],
    ["gs.endOfThisQuarter()", "2026-03-31 23:59:59"],
    ["gs.quartersAgoStart(1)", "2025-10-01 00:00:00"],
    ["gs.quartersAgoEnd(1)", "2025-12-31 23:59:59"],
    ["gs.beginningOfThisYear()", "2026-01-01 00:00:00"],
    ["gs.endOfThisYear()", "2026-12-31 23:59:59"],
    ["gs.beginningOfLastYear()", "2025-01-01 00:00:00"],
    ["gs.endOfLastYear()", "2025-12-31 23:59:59"],
    ["gs.beginningOfNextYear()", "2027-01-01 00:00:00"],
    ["gs.endOfNextYear()", "2027-12-31 23:59:59"],
    ["gs.yearsAgo(1)", "2025-03-31 13:45:30"],
    ["gs.beginningOfLastQuarter()", "2025-10-01 00:00:00"],
    ["gs.endOfLastQuarter()", "2025-12-31 23:59:59"],
    ["gs.beginningOfNextQuarter()", "2026-04-01 00:00:00"],
    ["gs.endOfNextQuarter()", "2026-06-30 23:59:59"],
    ["gs.beginningOfCurrentHour()", "2026-03-31 13:00:00"],
    ["gs.endOfCurrentHour()", "2026-03-31 13:59:59"],
    ["gs.beginningOfLastHour()", "2026-03-31 12:00:00"],
    ["gs.endOfLastHour()", "2026-03-31 12:59:59"],
    ["gs.beginningOfCurrentMinute()", "2026-03-31 13:45:00"],
    ["gs.endOfCurrentMinute()", "2026-03-31 13:45:59"],
    ["gs.beginningOfLastMinute()", "2026-03-31 13:44:00"],
    ["gs.endOfLastMinute()", "2026-03-31 13:44:59"],
    ["gs.beginningOfLast7Days()", "2026-03-24 00:00:00"],
    ["gs.endOfLast7Days()", "2026-03-31 23:59:59"],
    ["gs.beginningOfLast30Days()", "2026-03-01 00:00:00"],
    ["gs.endOfLast30Days()", "2026-03-31 23:59:59"],
    ["gs.beginningOfLast60Days()", "2026-01-30 00:00:00"],
    ["gs.beginningOfLast90Days()", "2025-12-31 00:00:00"],
    ["gs.beginningOfLast120Days()", "2025-12-01 00:00:00"],
    ["gs.endOfLast120Days()", "2026-03-31 23:59:59"],
  ];
  for (const [macro, value] of expected) {
    test(`javascript:${macro} at 2026-03-31 13:45:30 is ${value}`, () => {
      assert.equal(at(`javascript:${macro}`), value);
    });
  }

  test("weeks start on Monday, also when today is Sunday or Monday; a leap day one year back is 28 February", () => {
    assert.equal(at("javascript:gs.beginningOfThisWeek()", new Date("2026-04-05T23:59:59Z")), "2026-03-30 00:00:00");
    assert.equal(at("javascript:gs.beginningOfThisWeek()", new Date("2026-03-30T00:00:00Z")), "2026-03-30 00:00:00");
    assert.equal(at("javascript:gs.yearsAgo(1)", new Date("2024-02-29T10:00:00Z")), "2023-02-28 10:00:00");
    assert.equal(at("javascript:gs.endOfLastMonth()", new Date("2024-03-10T10:00:00Z")), "2024-02-29 23:59:59");
  });

  test("whitespace inside the call and a trailing semicolon are tolerated", () => {
    assert.deepEqual(parseDateMacro("javascript: gs.daysAgoStart( 3 );"), { name: "daysAgoStart", arg: 3 });
  });

  const refused = [
    "javascript:gs.getUserID()",
    "javascript:alert(1)",
    "javascript:gs.daysAgo()",
    "javascript:gs.beginningOfToday(1)",
    "javascript:gs.daysAgo('1')",
    "javascript:gs.daysAgo(1+1)",
    "javascript:gs.daysAgo(1.5)",
    "javascript:gs.daysAgo(1234567)",
    "javascript:gs.constructor.constructor('return process')()",
    "javascript:gs.daysAgoStart(1);process.exit(1)",
    "javascript:gs.__proto__()",
    "javascript:gs.hasOwnProperty()",
    "javascript:gs.toString()",
    "javascript:gs.daysAgo(1)()",
    "javascript:new GlideDateTime()",
    "javascript:",
  ];
  for (const text of refused) {
    test(`refuses ${JSON.stringify(text)}, naming it`, () => {
      assert.throws(() => parseDateMacro(text), (error: Error) => error instanceof DateMacroError && error.message.includes(text.slice(0, 40)));
    });
  }

  test("a known macro with too long a number says that, not that the macro is unknown", () => {
    for (const text of ["javascript:gs.daysAgo(99999999999)", "javascript:gs.monthsAgoStart(-99999999)"]) {
      assert.throws(() => parseDateMacro(text), (error: Error) => error instanceof DateMacroError && /takes a whole number of at most six digits/.test(error.message) && !/is not a date macro/.test(error.message));
    }
  });

  test("a date outside 0001–9999 is refused, not wrapped", () => {
    assert.throws(() => at("javascript:gs.yearsAgo(999999)"), DateMacroError);
    assert.throws(() => at("javascript:gs.yearsAgo(-8000)"), DateMacroError);
    assert.throws(() => at("javascript:gs.monthsAgoStart(999999)"), DateMacroError);
  });

  test("every macro of the list parses and evaluates to a glide date-time", () => {
    for (const name of macroNames) {
      const withArg = `javascript:gs.${name}(3)`;
      const text = (() => {
        try {
          parseDateMacro(withArg);
          return withArg;
        } catch {
          return `javascript:gs.${name}()`;
        }
      })();
      assert.match(at(text), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, name);
    }
  });
});

describe("date macros inside encoded queries", () => {
  test("a macro is replaced by its date-time, also on both sides of BETWEEN and inside IN", () => {
    const parsed = parseEncodedQuery("sys_created_onBETWEENjavascript:gs.daysAgoStart(7)@javascript:gs.endOfToday()^sys_updated_on>=javascript:gs.beginningOfThisMonth()^sys_created_onINjavascript:gs.beginningOfToday(),2020-01-01 00:00:00", { now });
    assert.deepEqual(
      parsed.queries[0]!.map((g) => g[0]!.value),
      ["2026-03-24 00:00:00@2026-03-31 23:59:59", "2026-03-01 00:00:00", "2026-03-31 00:00:00,2020-01-01 00:00:00"],
    );
  });

  test("a macro's own commas stay inside it in an IN list: gs.dateGenerate('2026-01-15','start'),…", () => {
    const parsed = parseEncodedQuery("sys_created_onINjavascript:gs.dateGenerate('2026-01-15','start'),2020-01-01 00:00:00,javascript:gs.dateGenerate('2026-01-16', 'end')", { now });
    assert.equal(parsed.queries[0]![0]![0]!.value, "2026-01-15 00:00:00,2020-01-01 00:00:00,2026-01-16 23:59:59");
    assert.throws(() => parseEncodedQuery("sys_created_onINjavascript:gs.dateGenerate('2026-01-15',x", { now }), (e: Error) => e instanceof QueryError && e.message.includes("gs.dateGenerate('2026-01-15',x"));
  });

  test("javascript:gs.getUserID() and DYNAMIC Me are the user the query runs for, a value for =, !=, IN and NOT IN only", () => {
    const me = "a".repeat(32);
    const parsed = parseEncodedQuery("assigned_to=javascript:gs.getUserID()^caller_idDYNAMIC90d1921e5f510100a9ad2572f2b477fe^opened_byINjavascript: gs.getUserID( );,x", { now, userId: me });
    assert.deepEqual(parsed.queries[0]!.map((g) => [g[0]!.operator, g[0]!.value]), [["=", me], ["=", me], ["IN", `${me},x`]]);
    assert.throws(() => parseEncodedQuery("assigned_to=javascript:gs.getUserID()", { now }), (e: Error) => e instanceof QueryError && /runs for none/.test(e.message));
    assert.throws(() => parseEncodedQuery("assigned_toLIKEjavascript:gs.getUserID()", { now, userId: me }), /not for LIKE/);
    assert.throws(() => parseEncodedQuery("sys_created_onBETWEENjavascript:gs.getUserID()@javascript:gs.endOfToday()", { now, userId: me }), /not for BETWEEN/);
    assert.throws(() => parseEncodedQuery("assigned_toDYNAMICd6435e965f510100a9ad2572f2b47744", { now, userId: me }), /only Me/);
  });

  test("anything else after javascript: is a QueryError that names it", () => {
    assert.throws(() => parseEncodedQuery("caller_id=javascript:gs.getUserID()", { now }), /gs\.getUserID\(\)/);
    assert.throws(() => parseEncodedQuery("sys_created_onBETWEENjavascript:gs.daysAgoStart(7)@javascript:eval('1')", { now }), (e: Error) => e instanceof QueryError && e.message.includes("eval('1')"));
  });

  // Property: no text after javascript: is ever run. Payloads that would set a global if
  // evaluated are mixed into otherwise plausible calls; each either parses to a listed macro
  // or is refused as a QueryError, and the global stays untouched.
  const payloads = ["(globalThis.__macroRan=1)", "globalThis.__macroRan=1", "eval('globalThis.__macroRan=1')", "Function('globalThis.__macroRan=1')()", "this.constructor.constructor('globalThis.__macroRan=1')()", "process.exit(3)", "require('fs')", "import('fs')"];
  const name = fc.oneof(fc.constantFrom(...macroNames), fc.constantFrom("getUserID", "eval", "constructor", "__proto__", "toString", "valueOf", "include", "print"), fc.string({ maxLength: 12 }));
  const arg = fc.oneof(fc.constant(""), fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String), fc.constantFrom(...payloads), fc.string({ maxLength: 12 }));
  const tail = fc.oneof(fc.constant(""), fc.constant(";"), fc.constantFrom(...payloads.map((p) => `;${p}`)), fc.string({ maxLength: 8 }));
  const macroText = fc.oneof(
    fc.tuple(name, arg, tail).map(([n, a, t]) => `javascript:gs.${n}(${a})${t}`),
    fc.constantFrom(...payloads).map((p) => `javascript:${p}`),
    fc.string({ maxLength: 60 }).map((s) => `javascript:${s}`),
    fc.tuple(fc.constantFrom("'", '"'), fc.string({ maxLength: 20 }), fc.constantFrom("", ";", ".constructor", " + 'x'")).map(([q, s, t]) => `javascript:${q}${s}${q}${t}`),
  );

  test("property: random javascript: values parse to the whitelist or a quoted text's own text, or are refused, and never run", () => {
    fc.assert(
      fc.property(macroText, fc.constantFrom(">", "<=", "=", "BETWEEN"), (text, operator) => {
        const value = operator === "BETWEEN" ? `${text}@javascript:gs.endOfToday()` : text;
        try {
          const condition = parseEncodedQuery(`sys_created_on${operator}${value}`.replaceAll("^", "^^"), { now }).queries[0]![0]![0]!;
          const [first, ...rest] = operator === "BETWEEN" ? condition.value.split("@") : [condition.value];
          // A quoted text (script-literal.ts) stands for itself, as a string literal evaluates to itself.
          const quoted = readScriptLiteral(text);
          if (quoted !== undefined) assert.equal(first, quoted, text);
          else assert.ok(macroNames.some((n) => text.includes(`gs.${n}(`)), text);
          for (const part of quoted !== undefined ? rest : [first!, ...rest]) assert.match(part, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        } catch (error) {
          if (!(error instanceof QueryError)) throw error;
        }
        assert.equal((globalThis as Record<string, unknown>).__macroRan, undefined);
      }),
      { numRuns: runs },
    );
  });
});
