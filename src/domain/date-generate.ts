import { DateMacroError } from "./date-macros.ts";

/**
 * `javascript:gs.dateGenerate('2026-01-15','start')`, which the platform's list filter writes for
 * a date picked in the calendar (`BETWEEN…@…`, `ON2026-01-15@…@…`): a date and `start`, `end` or
 * a time `HH:MM:SS`; pysnow's QueryBuilder writes one argument, `"2026-01-15 13:05:00"`. Read as
 * data by this grammar, never run; the date-time is taken in UTC, as every date macro here is.
 */
const call = /^javascript:\s*gs\.dateGenerate\s*\(/;
const date = String.raw`(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})`;
const time = String.raw`(?<hours>\d{2}):(?<minutes>\d{2}):(?<seconds>\d{2})`;
const twoArguments = new RegExp(String.raw`^javascript:\s*gs\.dateGenerate\(\s*(?<q1>['"])${date}\k<q1>\s*,\s*(?<q2>['"])(?:(?<edge>start|end)|${time})\k<q2>\s*\)\s*;?\s*$`);
const oneArgument = new RegExp(String.raw`^javascript:\s*gs\.dateGenerate\(\s*(?<q1>['"])${date} ${time}\k<q1>\s*\)\s*;?\s*$`);

/** The glide date-time of a dateGenerate call; undefined when the text is not one; a DateMacroError when it is one that cannot be read. */
export function dateGenerate(text: string): string | undefined {
  if (!call.test(text)) return undefined;
  const refuse = () => new DateMacroError(`"${text.length > 80 ? `${text.slice(0, 80)}…` : text}": gs.dateGenerate() takes a date 'YYYY-MM-DD' and 'start', 'end' or a time 'HH:MM:SS', or one 'YYYY-MM-DD HH:MM:SS'`);
  const parts = (twoArguments.exec(text) ?? oneArgument.exec(text))?.groups;
  if (!parts) throw refuse();
  const [year, month, day] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  const clock = parts.edge === "start" ? [0, 0, 0] : parts.edge === "end" ? [23, 59, 59] : [Number(parts.hours), Number(parts.minutes), Number(parts.seconds)];
  const instant = new Date(Date.UTC(year, month - 1, day, clock[0], clock[1], clock[2]));
  instant.setUTCFullYear(year);
  // A date or time that does not exist (2026-02-30, 24:00:00) would roll over; refuse it instead.
  if (year < 1 || instant.getUTCMonth() !== month - 1 || instant.getUTCDate() !== day || instant.getUTCHours() !== clock[0] || instant.getUTCMinutes() !== clock[1] || instant.getUTCSeconds() !== clock[2]) throw refuse();
  return `${parts.year}-${parts.month}-${parts.day} ${clock.map((n) => String(n).padStart(2, "0")).join(":")}`;
}
