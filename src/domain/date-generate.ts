import { DateMacroError } from "./date-macros.ts";

/**
 * `javascript:gs.dateGenerate('2026-01-15','start')`, which the platform's list filter writes for
 * a date picked in the calendar (`BETWEEN…@…`, `ON2026-01-15@…@…`): a date and `start`, `end` or
 * a time `HH:MM:SS`. Read as data by this grammar, never run; the date-time is taken in UTC, as
 * every date macro here is.
 */
const call = /^javascript:\s*gs\.dateGenerate\s*\(/;
const grammar = /^javascript:\s*gs\.dateGenerate\(\s*(['"])(\d{4})-(\d{2})-(\d{2})\1\s*,\s*(['"])(start|end|(\d{2}):(\d{2}):(\d{2}))\5\s*\)\s*;?\s*$/;

/** The glide date-time of a dateGenerate call; undefined when the text is not one; a DateMacroError when it is one that cannot be read. */
export function dateGenerate(text: string): string | undefined {
  if (!call.test(text)) return undefined;
  const match = grammar.exec(text);
  const refuse = () => new DateMacroError(`"${text.length > 80 ? `${text.slice(0, 80)}…` : text}": gs.dateGenerate() takes a date 'YYYY-MM-DD' and 'start', 'end' or a time 'HH:MM:SS'`);
  if (!match) throw refuse();
  const [year, month, day] = [Number(match[2]), Number(match[3]), Number(match[4])];
  const time = match[6] === "start" ? [0, 0, 0] : match[6] === "end" ? [23, 59, 59] : [Number(match[7]), Number(match[8]), Number(match[9])];
  const instant = new Date(Date.UTC(year, month - 1, day, time[0], time[1], time[2]));
  instant.setUTCFullYear(year);
  // A date or time that does not exist (2026-02-30, 24:00:00) would roll over; refuse it instead.
  if (year < 1 || instant.getUTCMonth() !== month - 1 || instant.getUTCDate() !== day || instant.getUTCHours() !== time[0] || instant.getUTCMinutes() !== time[1] || instant.getUTCSeconds() !== time[2]) throw refuse();
  return `${match[2]}-${match[3]}-${match[4]} ${time.map((n) => String(n).padStart(2, "0")).join(":")}`;
}
