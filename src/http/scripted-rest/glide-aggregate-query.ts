import { trendQuery } from "../../domain/aggregate-trend.ts";
import type { FieldDef } from "../../domain/dictionary.ts";
import { scriptSafeOperand } from "../../domain/script-literal.ts";
import type { AggregateParams } from "../table-api/aggregate-parameters.ts";

/**
 * GlideAggregate's getAggregateEncodedQuery() (and the global API's getQuery()), "the query
 * necessary to return the current aggregate": each group's condition joined by `^`, as the
 * platform's example answers `category=database` for the group of `groupBy('category')`. Only
 * the groups, not the GlideAggregate's own conditions: the platform's getQuery() example adds
 * it to another GlideAggregate over another period, which those conditions would contradict.
 *
 * A group's value matches with `=`, which on text ignores case as the group does, so
 * `category=Hardware` selects the records of "hardware" too; an empty group is `ISEMPTY`, which
 * also holds where a walk arrives nowhere (dot-walk-sql.ts); a trend's period is `ON` it
 * (aggregate-trend.ts). A caret in a value is doubled, as the encoded query reads it, and a value
 * that begins with `javascript:` is quoted (`u_note=javascript:'javascript:x'`, script-literal.ts),
 * so that it selects its group rather than being refused or read as a date macro or the caller.
 */
export type GroupQuery = { query: string } | { refused: string };

interface GroupValue {
  field: string;
  value: string;
}

function condition(name: string, value: string): string {
  return value === "" ? `${name}ISEMPTY` : `${name}=${scriptSafeOperand(value).replaceAll("^", "^^")}`;
}

/** `fields` are a row's groupby_fields: the trend's period first when there is one, then one per groupBy field. */
export function groupQuery(groupBy: readonly FieldDef[], trend: AggregateParams["trend"], fields: readonly GroupValue[]): GroupQuery {
  const conditions: string[] = [];
  const values = [...fields];
  if (trend) {
    const label = values.shift()!.value;
    const period = trendQuery(trend.field.name, trend.spec.interval, label);
    if (period === undefined) return { refused: `the ${trend.spec.interval} trend's group ${label} has no encoded query here: no operator this instance reads selects the records of one day of the week` };
    conditions.push(period);
  }
  groupBy.forEach((field, i) => conditions.push(condition(field.name, values[i]!.value)));
  return { query: conditions.join("^") };
}
