import { glideDateTime } from "./sys-id.ts";

/**
 * The platform's date macros in encoded-query values (`sys_created_on>javascript:gs.daysAgoStart(7)`),
 * which its filter builder and clients such as pysnow write. Here they are data, never code:
 * `javascript:gs.<name>(<integer>?)` from a fixed list, read by a regular grammar and
 * evaluated in UTC against a given clock. Anything else after `javascript:` is refused.
 */
export const macroPrefix = "javascript:";

export interface DateMacro {
  name: MacroName;
  /** The one integer argument of the `…Ago…` family; absent for the others. */
  arg?: number;
}

export class DateMacroError extends Error {}

/** Start of a UTC day, hour or minute, or of a week (Monday, as the platform's default), month, quarter or year. */
type Unit = "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";
type Edge = "start" | "end" | "exact";

interface Rule {
  unit: Unit;
  edge: Edge;
  /** Units back from now: fixed (yesterday = 1), or taken from the argument (`daysAgoStart(n)`). */
  back: number | "arg";
}

const rules = {
  beginningOfToday: { unit: "day", edge: "start", back: 0 },
  endOfToday: { unit: "day", edge: "end", back: 0 },
  beginningOfYesterday: { unit: "day", edge: "start", back: 1 },
  endOfYesterday: { unit: "day", edge: "end", back: 1 },
  beginningOfTomorrow: { unit: "day", edge: "start", back: -1 },
  endOfTomorrow: { unit: "day", edge: "end", back: -1 },
  beginningOfThisWeek: { unit: "week", edge: "start", back: 0 },
  endOfThisWeek: { unit: "week", edge: "end", back: 0 },
  beginningOfLastWeek: { unit: "week", edge: "start", back: 1 },
  endOfLastWeek: { unit: "week", edge: "end", back: 1 },
  beginningOfNextWeek: { unit: "week", edge: "start", back: -1 },
  endOfNextWeek: { unit: "week", edge: "end", back: -1 },
  beginningOfThisMonth: { unit: "month", edge: "start", back: 0 },
  endOfThisMonth: { unit: "month", edge: "end", back: 0 },
  beginningOfLastMonth: { unit: "month", edge: "start", back: 1 },
  endOfLastMonth: { unit: "month", edge: "end", back: 1 },
  beginningOfNextMonth: { unit: "month", edge: "start", back: -1 },
  endOfNextMonth: { unit: "month", edge: "end", back: -1 },
  beginningOfThisQuarter: { unit: "quarter", edge: "start", back: 0 },
  endOfThisQuarter: { unit: "quarter", edge: "end", back: 0 },
  beginningOfThisYear: { unit: "year", edge: "start", back: 0 },
  endOfThisYear: { unit: "year", edge: "end", back: 0 },
  beginningOfLastYear: { unit: "year", edge: "start", back: 1 },
  endOfLastYear: { unit: "year", edge: "end", back: 1 },
  beginningOfNextYear: { unit: "year", edge: "start", back: -1 },
  endOfNextYear: { unit: "year", edge: "end", back: -1 },
  beginningOfLastQuarter: { unit: "quarter", edge: "start", back: 1 },
  endOfLastQuarter: { unit: "quarter", edge: "end", back: 1 },
  beginningOfNextQuarter: { unit: "quarter", edge: "start", back: -1 },
  endOfNextQuarter: { unit: "quarter", edge: "end", back: -1 },
  beginningOfCurrentHour: { unit: "hour", edge: "start", back: 0 },
  endOfCurrentHour: { unit: "hour", edge: "end", back: 0 },
  beginningOfLastHour: { unit: "hour", edge: "start", back: 1 },
  endOfLastHour: { unit: "hour", edge: "end", back: 1 },
  beginningOfCurrentMinute: { unit: "minute", edge: "start", back: 0 },
  endOfCurrentMinute: { unit: "minute", edge: "end", back: 0 },
  beginningOfLastMinute: { unit: "minute", edge: "start", back: 1 },
  endOfLastMinute: { unit: "minute", edge: "end", back: 1 },
  // The older filter's "Last N days" (ONLast 7 days@…beginningOfLast7Days()@…endOfLast7Days()):
  // the same period as the newer one it writes for that label, daysAgoStart(7) to daysAgoEnd(0).
  beginningOfLast7Days: { unit: "day", edge: "start", back: 7 },
  endOfLast7Days: { unit: "day", edge: "end", back: 0 },
  beginningOfLast30Days: { unit: "day", edge: "start", back: 30 },
  endOfLast30Days: { unit: "day", edge: "end", back: 0 },
  beginningOfLast60Days: { unit: "day", edge: "start", back: 60 },
  endOfLast60Days: { unit: "day", edge: "end", back: 0 },
  beginningOfLast90Days: { unit: "day", edge: "start", back: 90 },
  endOfLast90Days: { unit: "day", edge: "end", back: 0 },
  beginningOfLast120Days: { unit: "day", edge: "start", back: 120 },
  endOfLast120Days: { unit: "day", edge: "end", back: 0 },
  minutesAgo: { unit: "minute", edge: "exact", back: "arg" },
  minutesAgoStart: { unit: "minute", edge: "start", back: "arg" },
  minutesAgoEnd: { unit: "minute", edge: "end", back: "arg" },
  hoursAgo: { unit: "hour", edge: "exact", back: "arg" },
  hoursAgoStart: { unit: "hour", edge: "start", back: "arg" },
  hoursAgoEnd: { unit: "hour", edge: "end", back: "arg" },
  daysAgo: { unit: "day", edge: "exact", back: "arg" },
  daysAgoStart: { unit: "day", edge: "start", back: "arg" },
  daysAgoEnd: { unit: "day", edge: "end", back: "arg" },
  monthsAgo: { unit: "month", edge: "exact", back: "arg" },
  monthsAgoStart: { unit: "month", edge: "start", back: "arg" },
  monthsAgoEnd: { unit: "month", edge: "end", back: "arg" },
  quartersAgoStart: { unit: "quarter", edge: "start", back: "arg" },
  quartersAgoEnd: { unit: "quarter", edge: "end", back: "arg" },
  yearsAgo: { unit: "year", edge: "exact", back: "arg" },
} as const satisfies Record<string, Rule>;

export type MacroName = keyof typeof rules;
export const macroNames = Object.keys(rules) as MacroName[];

// The whole grammar: no nesting, no strings, no operators, at most one integer (of six digits: checked after the name, to say so).
const grammar = /^javascript:\s*gs\.([A-Za-z][A-Za-z0-9]{0,39})\(\s*(-?\d{1,40})?\s*\)\s*;?\s*$/;

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

export function isMacro(value: string): boolean {
  return value.startsWith(macroPrefix);
}

/** Reads `javascript:gs.name(n)`; throws a DateMacroError naming the text for anything else. */
export function parseDateMacro(text: string): DateMacro {
  const match = grammar.exec(text);
  const name = match?.[1];
  if (!match || !name || !Object.hasOwn(rules, name)) {
    throw new DateMacroError(`"${clip(text)}" is not a date macro this instance evaluates (it runs no scripts; known: gs.${macroNames.slice(0, 6).join("(), gs.")}() … gs.daysAgoStart(n), gs.hoursAgoStart(n))`);
  }
  const rule = rules[name as MacroName];
  const takesArg = rule.back === "arg";
  if (takesArg !== (match[2] !== undefined)) throw new DateMacroError(`"${clip(text)}": gs.${name}() ${takesArg ? "takes one whole number" : "takes no argument"}`);
  if (takesArg && match[2]!.replace("-", "").length > 6) throw new DateMacroError(`"${clip(text)}": gs.${name}() takes a whole number of at most six digits`);
  return takesArg ? { name: name as MacroName, arg: Number(match[2]) } : { name: name as MacroName };
}

function startOf(unit: Unit, d: Date): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case "minute":
      return new Date(Date.UTC(y, m, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()));
    case "hour":
      return new Date(Date.UTC(y, m, d.getUTCDate(), d.getUTCHours()));
    case "day":
      return new Date(Date.UTC(y, m, d.getUTCDate()));
    case "week":
      return new Date(Date.UTC(y, m, d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
    case "month":
      return new Date(Date.UTC(y, m, 1));
    case "quarter":
      return new Date(Date.UTC(y, m - (m % 3), 1));
    case "year":
      return new Date(Date.UTC(y, 0, 1));
  }
}

/** Moves back `n` units; whole months keep the day of the month where it exists (31 March − 1 month = 28/29 February). */
function shift(unit: Unit, d: Date, n: number): Date {
  const fixed = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
  if (unit in fixed) return new Date(d.getTime() - n * fixed[unit as keyof typeof fixed]);
  const months = unit === "month" ? n : unit === "quarter" ? 3 * n : 12 * n;
  const target = new Date(d.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target;
}

/** The macro's value as a glide date-time (`YYYY-MM-DD HH:MM:SS`, UTC) at the instant `now`. */
export function evaluateDateMacro(macro: DateMacro, now: Date): string {
  const rule: Rule = rules[macro.name];
  const back = rule.back === "arg" ? (macro.arg ?? 0) : rule.back;
  const moved = shift(rule.unit, rule.edge === "exact" ? now : startOf(rule.unit, now), back);
  // End of a period: its last whole second, as glide date-times have no fractions.
  const instant = rule.edge === "end" ? new Date(shift(rule.unit, startOf(rule.unit, moved), -1).getTime() - 1000) : rule.edge === "start" ? startOf(rule.unit, moved) : moved;
  const year = instant.getUTCFullYear();
  if (Number.isNaN(instant.getTime()) || year < 1 || year > 9999) throw new DateMacroError(`gs.${macro.name}(${macro.arg ?? ""}) falls outside the years 0001 to 9999`);
  return glideDateTime(instant.getTime());
}
