/**
 * GlideAggregate's addTrend(field, interval): the records grouped by a period of a date-time
 * field, each group's period read as `getValue('timeref')`. The platform's reference shows these
 * values: `2015` by year, `3/2018` by quarter (quarter/year), `9/2018` by month (month/year, its
 * examples' interval though its list of valid values omits it), and by day of the week
 * `Thursday/2023`, or `Thursday` after setIntervalYearIncluded(false), Sunday first.
 *
 * It lists `date`, `hour`, `minute` (with a number of minutes), `week` and `value` as well, but
 * shows no value of theirs: how a week is numbered (which day starts it, which week is the
 * first), how a date or an hour is written, and what `value` groups by are nowhere published,
 * so they are refused rather than guessed.
 *
 * The database computes a key per record that sorts as the periods follow each other
 * (`2018-09`, `2018-3`, `2023-4`); this module turns a key into the platform's text and a
 * period into the encoded query of its records. Date-times are UTC, as everywhere here.
 */
export const trendIntervals = ["year", "quarter", "month", "dayofweek"] as const;
export type TrendInterval = (typeof trendIntervals)[number];

/** Documented by the platform without an example of their values. */
export const unpublishedTrendIntervals = ["date", "hour", "minute", "week", "value"] as const;

export interface TrendSpec {
  interval: TrendInterval;
  /** For dayofweek: `Thursday/2023` when true (the platform's default), `Thursday` when false. */
  yearIncluded: boolean;
}

/** The name a trend's period is read by: getValue('timeref'). */
export const trendName = "timeref";

export function isTrendInterval(value: unknown): value is TrendInterval {
  return typeof value === "string" && (trendIntervals as readonly string[]).includes(value);
}

const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The platform's text for a key the database computed; "" for records with no date. */
export function trendLabel(trend: TrendSpec, key: unknown): string {
  if (key === null || key === undefined || key === "") return "";
  const text = String(key);
  switch (trend.interval) {
    case "year":
      return text;
    case "quarter":
    case "month": {
      const [year, part] = text.split("-");
      return `${Number(part)}/${year}`;
    }
    case "dayofweek": {
      const [year, day] = trend.yearIncluded ? text.split("-") : [undefined, text];
      const name = weekdays[Number(day)] ?? text;
      return year === undefined ? name : `${name}/${year}`;
    }
  }
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** The first and last day of a period by its label (`9/2018`); undefined for a day of the week, which is no period. */
function period(interval: TrendInterval, label: string): { first: string; last: string } | undefined {
  const parts = label.split("/").map(Number);
  const year = parts[parts.length - 1]!;
  if (interval === "dayofweek" || !Number.isInteger(year)) return undefined;
  const [fromMonth, months] = interval === "year" ? [1, 12] : interval === "quarter" ? [(parts[0]! - 1) * 3 + 1, 3] : [parts[0]!, 1];
  const lastDay = new Date(Date.UTC(year, fromMonth - 1 + months, 0));
  return { first: `${year}-${pad(fromMonth)}-01`, last: `${year}-${pad(lastDay.getUTCMonth() + 1)}-${pad(lastDay.getUTCDate())}` };
}

/**
 * The encoded query of a period's records, as the platform's list filter writes "on" a period
 * (`opened_atON9/2018@javascript:gs.dateGenerate('2018-09-01','start')@javascript:gs.dateGenerate('2018-09-30','end')`);
 * `fieldISEMPTY` for the records with no date. Undefined for a day of the week: no operator
 * this instance reads selects the Thursdays.
 */
export function trendQuery(field: string, interval: TrendInterval, label: string): string | undefined {
  if (label === "") return `${field}ISEMPTY`;
  const days = period(interval, label);
  if (!days) return undefined;
  return `${field}ON${label}@javascript:gs.dateGenerate('${days.first}','start')@javascript:gs.dateGenerate('${days.last}','end')`;
}
