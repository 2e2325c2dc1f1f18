import { type RawBuilder, sql } from "kysely";
import { type FieldDef, fieldOf, isCaselessText, type TableDef } from "../domain/dictionary.ts";
import type { TrendSpec } from "../domain/aggregate-trend.ts";
import type { DotWalk } from "../domain/dot-walk.ts";
import type { DialectName } from "./database.ts";
import { walkJoins } from "./dot-walk-joins.ts";

/**
 * How the Aggregate API's statement reads a field it names: a column of the queried table, or a
 * dot-walk's joined value (dot-walk-joins.ts), and, for a group, what it groups by and shows.
 *
 * Text groups without regard to case, as `=` and ORDERBY already compare it: the platform's
 * database collation is case-insensitive, so "Hardware" and "hardware" are one group there.
 * The group is lower() of the value (SQLite folds ASCII only, as its `=` does); the value shown
 * for it is the least of the values stored, by code point ("Hardware" before "hardware"), on
 * PostgreSQL under the "C" collation so that both dialects pick the same one whatever the
 * database's locale. Text kept lowercase (storedLowercase), numbers, booleans, date-times and
 * references (sys_ids) group by the value itself.
 *
 * Empty text is one group, as on the platform: text and references hold "" as well as NULL for
 * empty (a record older than a field added since, a walk that arrives nowhere beside one that
 * arrives at ""), so they group, sort and show as NULL, which the answer writes as "".
 */
export interface AggregateColumns {
  /** Adds the joins of the walks to a select from the queried table. */
  apply<T>(select: T): T;
  /** The value, for an aggregate or a having. */
  value(name: string): RawBuilder<unknown>;
  /** The dictionary entry of the field or of the walk's leaf. */
  field(name: string): FieldDef | undefined;
  /** The expression a group is made, ordered and compared by. */
  group(name: string): RawBuilder<unknown>;
  /** What a group shows as its value: one of the group's stored values, the same on every call. */
  shown(name: string): RawBuilder<unknown>;
  /**
   * The period of a date-time (`YYYY-MM-DD HH:MM:SS`, UTC) a trend groups by, as text that sorts
   * as the periods follow each other (`2018-09`, `2018-3`, `2023-4`; aggregate-trend.ts reads it);
   * NULL for no date. Days of the week count from Sunday, 0, in both dialects.
   */
  trend(name: string, trend: TrendSpec): RawBuilder<unknown>;
}

function foldsCase(field: FieldDef | undefined): boolean {
  return field !== undefined && isCaselessText(field) && !field.storedLowercase;
}

function emptiesAsNull(field: FieldDef | undefined): boolean {
  return field?.type === "string" || field?.type === "reference";
}

export function aggregateColumns(table: TableDef, walks: readonly DotWalk[], dialect: DialectName): AggregateColumns {
  const joins = walkJoins(table, walks);
  const byPath = new Map(walks.map((w) => [w.path, w]));
  const value = (name: string): RawBuilder<unknown> => {
    const walk = byPath.get(name);
    return walk ? joins.value(walk) : sql.ref(name);
  };
  const field = (name: string): FieldDef | undefined => byPath.get(name)?.leaf ?? fieldOf(table, name);
  const grouped = (name: string): RawBuilder<unknown> => (emptiesAsNull(field(name)) ? sql`nullif(${value(name)}, '')` : value(name));
  return {
    apply: (select) => joins.apply(select),
    value,
    field,
    group: (name) => (foldsCase(field(name)) ? sql`lower(${grouped(name)})` : grouped(name)),
    shown: (name) => {
      if (!foldsCase(field(name))) return grouped(name);
      return dialect === "postgres" ? sql`min(${grouped(name)} collate "C")` : sql`min(${grouped(name)})`;
    },
    trend: (name, trend) => {
      const at = sql`nullif(${value(name)}, '')`;
      const year = sql`substr(${at}, 1, 4)`;
      switch (trend.interval) {
        case "year":
          return year;
        case "month":
          return sql`substr(${at}, 1, 7)`;
        case "quarter":
          return sql`${year} || '-' || cast((cast(substr(${at}, 6, 2) as integer) + 2) / 3 as text)`;
        case "dayofweek": {
          const day = dialect === "postgres" ? sql`cast(cast(extract(dow from cast(${at} as timestamp)) as integer) as text)` : sql`strftime('%w', ${at})`;
          return trend.yearIncluded ? sql`${year} || '-' || ${day}` : day;
        }
      }
    },
  };
}
