import { type AggregateFunction, type AggregateOrder, aggregateFunctions, type HavingCondition, type HavingOperator, havingOperators } from "../../domain/aggregate-query.ts";
import { isTrendInterval } from "../../domain/aggregate-trend.ts";
import type { TableDef } from "../../domain/dictionary.ts";
import type { Instance } from "../../instance.ts";
import { aggregateResult } from "../table-api/aggregate-api.ts";
import { type AggregateClauses, checkAggregateParams, fieldAggregates } from "../table-api/aggregate-parameters.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";
import type { RowWindow } from "../../store/table-aggregate-store.ts";
import { type GroupQuery, groupQuery } from "./glide-aggregate-query.ts";

/**
 * GlideAggregate's data call (scripting/glide-aggregate.ts): its query, aggregates and groups
 * become the Aggregate API's parameters, as a client would send them to /api/now/stats, and its
 * addHaving and orderBy… calls that API's having and order, so the same checks hold (fields
 * that exist and the caller may read, AVG and SUM on numbers, ordering by a grouped field, the
 * group limit) and the same statement answers. One entry per group; without groups, one.
 * setAggregateWindow, which the API has no parameter for, narrows the records aggregated, and
 * addTrend groups them by a period first. Each group carries the encoded query of its records
 * (glide-aggregate-query.ts), which getAggregateEncodedQuery() answers.
 */
const kinds = new Set(["avg", "min", "max", "sum"]);

function parameters(query: unknown, aggregates: unknown, groupBy: unknown): Record<string, string> {
  if (typeof query !== "string" || !Array.isArray(aggregates) || !Array.isArray(groupBy)) throw new TypeError("GlideAggregate: a query, aggregates and groups");
  const out: Record<string, string> = { sysparm_query: query, sysparm_display_value: "all" };
  const fields: Record<string, string[]> = { avg: [], min: [], max: [], sum: [] };
  for (const entry of aggregates) {
    const [kind, field] = Array.isArray(entry) ? entry : [];
    if (kind === "count") out.sysparm_count = "true";
    else if (typeof kind === "string" && kinds.has(kind) && typeof field === "string") fields[kind]!.push(field);
    else throw new TypeError("GlideAggregate: an aggregate is COUNT, SUM, AVG, MIN or MAX of a field");
  }
  for (const [kind, names] of Object.entries(fields)) if (names.length > 0) out[`sysparm_${kind}_fields`] = names.join(",");
  if (groupBy.some((g) => typeof g !== "string")) throw new TypeError("GlideAggregate: a group is a field name");
  if (groupBy.length > 0) out.sysparm_group_by = groupBy.join(",");
  return out;
}

const isAggregate = (value: unknown): value is AggregateFunction => typeof value === "string" && (aggregateFunctions as readonly string[]).includes(value);
const isField = (value: unknown): value is string | null => value === null || typeof value === "string";

/** addTrend's `[field, interval, yearIncluded]`, or null for none. */
function trendOf(trend: unknown): AggregateClauses["trend"] {
  if (trend === null || trend === undefined) return undefined;
  const [field, interval, yearIncluded] = Array.isArray(trend) ? trend : [];
  if (typeof field !== "string" || !isTrendInterval(interval) || typeof yearIncluded !== "boolean") throw new TypeError("GlideAggregate: a trend is a field, an interval and whether the year is included");
  return { field, spec: { interval, yearIncluded } };
}

/** addHaving's `[aggregate, field or null, operator, value]` and orderBy…'s `["field", name, descending]` or `[aggregate, field or null, descending]`. */
function clauses(having: unknown, orders: unknown): AggregateClauses {
  if (!Array.isArray(having) || !Array.isArray(orders)) throw new TypeError("GlideAggregate: having and order lists");
  return {
    having: having.map((entry): HavingCondition => {
      const [aggregate, field, operator, value] = Array.isArray(entry) ? entry : [];
      if (!isAggregate(aggregate) || !isField(field) || !(havingOperators as readonly unknown[]).includes(operator) || typeof value !== "string") throw new TypeError("GlideAggregate: a having is an aggregate, a field, an operator and a value");
      return { aggregate, ...(field === null ? {} : { field }), operator: operator as HavingOperator, value };
    }),
    orderBy: orders.map((entry): AggregateOrder => {
      const [kind, field, descending] = Array.isArray(entry) ? entry : [];
      if (typeof descending !== "boolean") throw new TypeError("GlideAggregate: an order is ascending or descending");
      if (kind === "field" && typeof field === "string") return { kind: "field", field, descending };
      if (isAggregate(kind) && isField(field)) return { kind: "aggregate", aggregate: kind, ...(field === null ? {} : { field }), descending };
      throw new TypeError("GlideAggregate: an order is a grouped field or an aggregate");
    }),
  };
}

/** setAggregateWindow's `[firstRow, lastRow]`, last exclusive, as the records to aggregate; null for all. */
function rowWindow(window: unknown): RowWindow | undefined {
  if (window === null || window === undefined) return undefined;
  const [first, last] = Array.isArray(window) ? window : [];
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first < 0 || last < first) throw new TypeError("GlideAggregate: a window is two row numbers, 0 <= first <= last");
  return { offset: first, limit: last - first };
}

function encoded(group: GroupQuery): { encoded_query: string } | { encoded_query_refused: string } {
  return "query" in group ? { encoded_query: group.query } : { encoded_query_refused: group.refused };
}

export async function glideAggregate(instance: Instance, principal: ApiPrincipal, table: TableDef, [query, aggregates, groupBy, having = [], orders = [], window = null, trend = null]: unknown[]): Promise<unknown[]> {
  const trended = trendOf(trend);
  const given = { ...clauses(having, orders), ...(trended ? { trend: trended } : {}) };
  const records = rowWindow(window);
  const checked = await checkAggregateParams(parameters(query, aggregates, groupBy), given, principal, table, instance.now(), instance.store.db);
  const params = records ? { ...checked, window: records } : checked;
  const result = await aggregateResult(instance, principal, table, params);
  // A reference group names the table it points to, so ga.caller_id walks on (ga.caller_id.name) as a GlideRecord's field does.
  const references = params.groupBy.map((f) => (f.type === "reference" && f.reference ? f.reference : undefined));
  // The trend's period, when there is one, comes before the groupBy fields and points nowhere.
  const offset = params.trend ? 1 : 0;
  if (Array.isArray(result))
    return result.map((row) => ({
      stats: row.stats,
      groupby_fields: row.groupby_fields.map((f, i) => (references[i - offset] ? { ...f, reference: references[i - offset] } : f)),
      ...encoded(groupQuery(params.groupBy, params.trend, row.groupby_fields)),
    }));
  // Ungrouped, the one row a having filters out is stats {} on the wire; to a script it is no row, as on the platform.
  const asked = params.count || fieldAggregates.some((a) => params.fields[a].length > 0);
  return asked && Object.keys(result.stats).length === 0 ? [] : [{ ...result, encoded_query: "" }];
}
