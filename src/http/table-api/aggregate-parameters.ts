import type { Kysely } from "kysely";
import { AggregateSyntaxError, type AggregateOrder, type HavingCondition, parseAggregateOrderBy, parseFieldList, parseHaving } from "../../domain/aggregate-query.ts";
import type { TrendSpec } from "../../domain/aggregate-trend.ts";
import { coerceValue, type FieldDef, fieldOf, type TableDef } from "../../domain/dictionary.ts";
import { type DotWalk, isDotWalk, walkedFieldDef } from "../../domain/dot-walk.ts";
import type { EncodedQuery } from "../../domain/encoded-query.ts";
import type { Database } from "../../store/schema.ts";
import type { HavingSpec, RowWindow } from "../../store/table-aggregate-store.ts";
import { mayReadField } from "./acl.ts";
import type { ApiPrincipal } from "./api-principal.ts";
import { resolveDotWalk } from "./dot-walk-access.ts";
import { badRequest, forbidden } from "./errors.ts";
import { type DisplayValueMode, encodedQueryOf, flag, type Query, single } from "./parameters.ts";

/**
 * The Aggregate API's parameters, read once and checked against the dictionary and the
 * caller's field ACL: every field named must exist and be readable, AVG and SUM need a
 * number, ORDER BY names a grouped field or an aggregate. The records are those sysparm_query
 * and the name-value pairs (`&active=true`) select, read as the Table API reads them. A field may
 * be a dot-walk (`caller_id.name`), named by its path in the answer: the platform documents
 * GlideAggregate as behind this API, and GlideAggregate scripts group by walks.
 */
export type FieldAggregate = "avg" | "min" | "max" | "sum";
export const fieldAggregates: readonly FieldAggregate[] = ["avg", "min", "max", "sum"];

export interface AggregateParams {
  query: EncodedQuery;
  count: boolean;
  /** A dot-walked one is named by its path (walkedFieldDef), as in the response. */
  fields: Record<FieldAggregate, FieldDef[]>;
  groupBy: FieldDef[];
  /** Every dot-walk the fields above, sysparm_having and sysparm_order_by name, for the joins. */
  walks: DotWalk[];
  having: HavingSpec[];
  orderBy: AggregateOrder[];
  displayValue: DisplayValueMode;
  /** GlideAggregate's setAggregateWindow (scripted-rest/glide-aggregate-call.ts); the API has no parameter for it. */
  window?: RowWindow;
  /** GlideAggregate's addTrend: a date-time field (a walk named by its path) and its period; the API has no parameter for it. */
  trend?: { field: FieldDef; spec: TrendSpec };
}

function syntax<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw error instanceof AggregateSyntaxError ? badRequest(error.message) : error;
  }
}

function readableField(principal: ApiPrincipal, table: TableDef, parameter: string, name: string): FieldDef {
  const field = fieldOf(table, name);
  if (!field || field.secret) throw badRequest(`${parameter}: the table ${table.name} has no field "${name}"`);
  // As in sysparm_query: the field exists, and grouping or aggregating would show its values.
  if (!mayReadField(principal, field)) throw forbidden(`${parameter}: ${principal.user.userName} may not read the field ${table.name}.${name}`);
  return field;
}

/**
 * Finds each field a parameter names, dot-walks included, and keeps the walks. A walk into what
 * the caller may not read is a 403, as in sysparm_query: grouping shows the value outright.
 */
interface FieldResolver {
  field(parameter: string, name: string): Promise<FieldDef>;
  walks: Map<string, DotWalk>;
}

function fieldResolver(db: Kysely<Database>, principal: ApiPrincipal, table: TableDef): FieldResolver {
  const walks = new Map<string, DotWalk>();
  return {
    walks,
    async field(parameter, name) {
      if (!isDotWalk(name)) return readableField(principal, table, parameter, name);
      const access = await resolveDotWalk(db, principal, table, name, parameter);
      if ("denied" in access) throw forbidden(`${parameter}: ${access.denied}`);
      walks.set(name, access.walk);
      return walkedFieldDef(access.walk);
    },
  };
}

function requireNumber(parameter: string, aggregate: string, field: FieldDef): void {
  if (field.type !== "integer") throw badRequest(`${parameter}: ${aggregate.toUpperCase()} needs a numeric field; ${field.name} is ${field.type}`);
}

const numberPattern = /^-?\d{1,15}(\.\d{1,6})?$/;

async function havingSpecs(conditions: readonly HavingCondition[], fields: FieldResolver): Promise<HavingSpec[]> {
  const specs: HavingSpec[] = [];
  for (const h of conditions) specs.push(havingSpec(h, h.field === undefined ? undefined : await fields.field("sysparm_having", h.field)));
  return specs;
}

function havingSpec(h: HavingCondition, field: FieldDef | undefined): HavingSpec {
  const item = [h.aggregate, ...(h.field === undefined ? [] : [h.field]), h.operator, h.value].join("^").slice(0, 80);
  if (!field) {
    if (h.aggregate !== "count") throw badRequest(`sysparm_having: ${item}: ${h.aggregate.toUpperCase()} needs a field`);
    if (!numberPattern.test(h.value)) throw badRequest(`sysparm_having: ${item}: the value must be a number`);
    return { aggregate: "count", operator: h.operator, value: Number(h.value) };
  }
  if (h.aggregate === "min" || h.aggregate === "max") {
    // The field's type rules apply to the bound, its choice list does not.
    const coerced = coerceValue({ name: field.name, label: field.label, type: field.type, reference: field.reference }, h.value);
    if (!coerced.ok) throw badRequest(`sysparm_having: ${item}: the value ${coerced.problem}`);
    return { aggregate: h.aggregate, field: field.name, operator: h.operator, value: coerced.value };
  }
  if (h.aggregate !== "count") requireNumber("sysparm_having", h.aggregate, field);
  if (!numberPattern.test(h.value)) throw badRequest(`sysparm_having: ${item}: the value must be a number`);
  return { aggregate: h.aggregate, field: field.name, operator: h.operator, value: Number(h.value) };
}

async function orderSpecs(fromParameter: readonly AggregateOrder[], query: EncodedQuery, groupBy: readonly FieldDef[], fields: FieldResolver): Promise<AggregateOrder[]> {
  // ORDERBY inside sysparm_query orders groups too; without groups there is one row and nothing to order.
  const fromQuery: AggregateOrder[] = groupBy.length === 0 ? [] : query.orderBy.map((o) => ({ kind: "field", field: o.field, descending: o.descending }));
  const orders = [...fromParameter, ...fromQuery];
  for (const [i, order] of orders.entries()) {
    if (order.kind === "field") {
      // Name what the caller wrote: an ORDERBY in sysparm_query cannot order by an aggregate at all.
      if (!groupBy.some((g) => g.name === order.field))
        throw badRequest(
          i < fromParameter.length
            ? `sysparm_order_by: ${order.field} is not a sysparm_group_by field; order by a grouped field or an aggregate such as COUNT or AVG^${order.field}`
            : `sysparm_query: ORDERBY${order.descending ? "DESC" : ""}${order.field} orders by a field that is not in sysparm_group_by; order by a grouped field, or use sysparm_order_by for an aggregate such as COUNT or AVG^${order.field}`,
        );
    } else if (order.field) {
      const field = await fields.field("sysparm_order_by", order.field);
      if (order.aggregate === "avg" || order.aggregate === "sum") requireNumber("sysparm_order_by", order.aggregate, field);
    }
  }
  return orders;
}

/** sysparm_having and sysparm_order_by, read; GlideAggregate (src/http/scripted-rest/glide-aggregate-call.ts) gives its own as data, and its addTrend. */
export interface AggregateClauses {
  having: HavingCondition[];
  orderBy: AggregateOrder[];
  trend?: { field: string; spec: TrendSpec };
}

async function trendOf(given: AggregateClauses["trend"], fields: FieldResolver): Promise<AggregateParams["trend"]> {
  if (!given) return undefined;
  const field = await fields.field("addTrend", given.field);
  if (field.type !== "glide_date_time") throw badRequest(`addTrend: ${field.name} is ${field.type}; a trend needs a date-time field`);
  return { field, spec: given.spec };
}

/** The Aggregate API's parameters as a request's query string gives them. */
export async function readAggregateParams(raw: Query, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<AggregateParams> {
  const clauses = syntax(() => ({ having: parseHaving(single(raw, "sysparm_having") ?? ""), orderBy: parseAggregateOrderBy(single(raw, "sysparm_order_by") ?? "") }));
  return checkAggregateParams(raw, clauses, principal, table, now, db);
}

/**
 * The parameters other than sysparm_having and sysparm_order_by from `raw`, those two from
 * `clauses`, all checked against the dictionary and the caller's rights as the API checks them.
 */
export async function checkAggregateParams(raw: Query, clauses: AggregateClauses, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<AggregateParams> {
  // Any case, as the Table API reads it: pysnow sends Python's False as it prints.
  const displayValue = (single(raw, "sysparm_display_value") || "false").toLowerCase();
  if (displayValue !== "false" && displayValue !== "true" && displayValue !== "all") throw badRequest(`sysparm_display_value must be true, false or all, not "${displayValue.slice(0, 40)}"`);
  const resolver = fieldResolver(db, principal, table);
  const list = async (parameter: string) => {
    const out: FieldDef[] = [];
    for (const name of syntax(() => parseFieldList(parameter, single(raw, parameter) ?? ""))) out.push(await resolver.field(parameter, name));
    return out;
  };
  const fields = {} as Record<FieldAggregate, FieldDef[]>;
  for (const aggregate of fieldAggregates) {
    const parameter = `sysparm_${aggregate}_fields`;
    fields[aggregate] = await list(parameter);
    if (aggregate === "avg" || aggregate === "sum") for (const field of fields[aggregate]) requireNumber(parameter, aggregate, field);
  }
  const groupBy = await list("sysparm_group_by");
  const query = await encodedQueryOf(raw, principal, table, now, db);
  const having = await havingSpecs(clauses.having, resolver);
  const orderBy = await orderSpecs(clauses.orderBy, query, groupBy, resolver);
  const trend = await trendOf(clauses.trend, resolver);
  return { query, count: flag(raw, "sysparm_count"), fields, groupBy, walks: [...resolver.walks.values()], having, orderBy, displayValue, ...(trend ? { trend } : {}) };
}
