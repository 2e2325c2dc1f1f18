import { type Expression, type Kysely, type RawBuilder, sql } from "kysely";
import type { StoredValue, TableDef } from "../domain/dictionary.ts";
import type { AggregateFunction, AggregateOrder, HavingOperator } from "../domain/aggregate-query.ts";
import type { TrendSpec } from "../domain/aggregate-trend.ts";
import type { DotWalk } from "../domain/dot-walk.ts";
import type { EncodedQuery } from "../domain/encoded-query.ts";
import { type AggregateColumns, aggregateColumns } from "./aggregate-columns.ts";
import type { DialectName } from "./database.ts";
import { walkJoins } from "./dot-walk-joins.ts";
import type { Database } from "./schema.ts";
import { referenceDisplayColumns } from "./reference-display-query.ts";
import { orderOf, whereOf } from "./table-query-sql.ts";

/**
 * The Aggregate API as one SQL statement: COUNT/AVG/MIN/MAX/SUM over the rows an encoded
 * query selects, grouped, filtered by HAVING and ordered in the database. Column names come
 * from the dictionary (the caller has checked them); every value is a parameter. A field named by
 * a dot-walk's path is read through a join on the referenced tables (dot-walk-joins.ts).
 */
export interface AggregateSpec {
  aggregate: AggregateFunction;
  /** Absent for COUNT(*) */
  field?: string;
}

export interface HavingSpec extends AggregateSpec {
  operator: HavingOperator;
  value: StoredValue;
}

export interface AggregateRequest {
  table: TableDef;
  /** Which database runs the statement: the value a caseless text group shows is picked per dialect (aggregate-columns.ts). */
  dialect: DialectName;
  query: EncodedQuery;
  aggregates: readonly AggregateSpec[];
  /** Field names, or paths of `walks`. */
  groupBy: readonly string[];
  having: readonly HavingSpec[];
  orderBy: readonly AggregateOrder[];
  /** The dot-walks, checked, that groupBy, aggregates, having and orderBy name by their path. */
  walks: readonly DotWalk[];
  /** Groups beyond this are not fetched; the caller sees that there were more. */
  maxGroups: number;
  /** Whose display values a text operator on a reference may match (reference-display-query.ts); without it, the sys_id. */
  mayReadDisplay?: (target: TableDef) => boolean;
  /** Only these of the selected records are aggregated (GlideAggregate's setAggregateWindow). */
  window?: RowWindow;
  /** GlideAggregate's addTrend: the records are grouped by a period of this date-time field first, then by groupBy. */
  trend?: { field: string; spec: TrendSpec };
}

/** Records by position in the order a list of the same query reads them: its ORDERBY, then sys_id. */
export interface RowWindow {
  offset: number;
  limit: number;
}

/** One result row: group values in the order of groupBy, aggregate values in the order of aggregates, as the driver returns them. */
export interface AggregateRow {
  groups: unknown[];
  values: unknown[];
  /** The key of the trend's period (aggregate-columns.ts), with a trend. */
  trend?: unknown;
}

function expression(columns: AggregateColumns, spec: AggregateSpec): RawBuilder<unknown> {
  if (spec.aggregate === "count") {
    if (!spec.field) return sql`count(*)`;
    // Records whose field is not empty: text and references store "" as well as NULL for empty.
    const type = columns.field(spec.field)?.type;
    return type === "string" || type === "reference" ? sql`count(nullif(${columns.value(spec.field)}, ''))` : sql`count(${columns.value(spec.field)})`;
  }
  const column = columns.value(spec.field!);
  switch (spec.aggregate) {
    case "avg":
      return sql`avg(${column})`;
    case "sum":
      return sql`sum(${column})`;
    case "min":
      return sql`min(${column})`;
    case "max":
      return sql`max(${column})`;
  }
}

const comparison: Record<HavingOperator, string> = { "=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<=" };

/** Empty group values first in both dialects (PostgreSQL sorts NULL last by default, SQLite first). */
function orderGroup(select: any, column: Expression<unknown>, descending: boolean): any {
  return select.orderBy(sql`case when ${column} is null then 0 else 1 end`, descending ? "desc" : "asc").orderBy(column, descending ? "desc" : "asc");
}

/** The window's records as a condition on sys_id: the list a GlideRecord would read, cut to the window, then grouped. */
function windowed(db: Kysely<any>, request: AggregateRequest, window: RowWindow, where: ReturnType<typeof whereOf>): any {
  const joins = walkJoins(request.table, request.query.orderBy.flatMap((o) => (o.walk ? [o.walk] : [])));
  let records: any = joins.apply(db.selectFrom(request.table.name).select(`${request.table.name}.sys_id`));
  if (where) records = records.where(where);
  for (const o of orderOf(request.table, request.query, joins)) records = records.orderBy(o.column, o.direction);
  return (eb: any) => eb(`${request.table.name}.sys_id`, "in", records.limit(window.limit).offset(window.offset));
}

export async function aggregateRecords(db: Kysely<Database>, request: AggregateRequest): Promise<{ rows: AggregateRow[]; more: boolean }> {
  const displays = request.mayReadDisplay && (await referenceDisplayColumns(db, request.table, request.query, request.mayReadDisplay));
  const where = whereOf(request.table, request.query, displays);
  if (request.aggregates.length === 0 && request.groupBy.length === 0 && !request.trend) {
    // Compiled, not run: a value that does not fit its field (priority=high) is refused as it becomes SQL.
    if (where) (db as unknown as Kysely<any>).selectFrom(request.table.name).select("sys_id").where(where).compile();
    // Nothing asked: one empty row, as the platform answers `{"stats": {}}`.
    return { rows: [{ groups: [], values: [] }], more: false };
  }
  const columns = aggregateColumns(request.table, request.walks, request.dialect);
  const period = request.trend && columns.trend(request.trend.field, request.trend.spec);
  const groups = [...(period ? [period] : []), ...request.groupBy.map((field) => columns.group(field))];
  let select: any = columns.apply((db as unknown as Kysely<any>).selectFrom(request.table.name)).select([
    ...(period ? [period.as("t")] : []),
    ...request.groupBy.map((field, i) => columns.shown(field).as(`g${i}`)),
    ...request.aggregates.map((spec, i) => expression(columns, spec).as(`a${i}`)),
  ]);
  if (request.window) select = select.where(windowed(db as unknown as Kysely<any>, request, request.window, where));
  else if (where) select = select.where(where);
  if (groups.length > 0) select = select.groupBy(groups);
  if (request.having.length > 0) {
    // COUNT/AVG/SUM compare as numbers: PostgreSQL would otherwise type "2.5" after bigint(sum) and refuse it.
    const operand = (h: HavingSpec) => (h.aggregate === "min" || h.aggregate === "max" ? sql`${h.value}` : sql`cast(${h.value} as numeric)`);
    const conditions = request.having.map((h) => sql<boolean>`${expression(columns, h)} ${sql.raw(comparison[h.operator])} ${operand(h)}`);
    select = select.having(sql<boolean>`${sql.join(conditions as Expression<unknown>[], sql` and `)}`);
  }
  for (const order of request.orderBy) {
    if (order.kind === "field") select = orderGroup(select, columns.group(order.field), order.descending);
    else select = select.orderBy(expression(columns, order), order.descending ? "desc" : "asc");
  }
  // Ties (and the default) in group order, the trend's periods first, so pages of results are stable.
  for (const group of groups) select = orderGroup(select, group, false);
  const rows: Record<string, unknown>[] = await select.limit(request.maxGroups + 1).execute();
  return {
    rows: rows.slice(0, request.maxGroups).map((row) => ({
      groups: request.groupBy.map((_, i) => row[`g${i}`]),
      values: request.aggregates.map((_, i) => row[`a${i}`]),
      ...(period ? { trend: row.t } : {}),
    })),
    more: rows.length > request.maxGroups,
  };
}
