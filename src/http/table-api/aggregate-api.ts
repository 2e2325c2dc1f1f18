import type { Kysely } from "kysely";
import { trendLabel, trendName } from "../../domain/aggregate-trend.ts";
import { displayValue, type FieldDef, type TableDef, wireValue } from "../../domain/dictionary.ts";
import type { Instance } from "../../instance.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import type { Database } from "../../store/schema.ts";
import { type AggregateSpec, aggregateRecords } from "../../store/table-aggregate-store.ts";
import { displayValues } from "../../store/table-record-store.ts";
import { mayDo, mayReadDisplay, requireAccess } from "./acl.ts";
import { type AggregateParams, fieldAggregates, readAggregateParams } from "./aggregate-parameters.ts";
import type { Query } from "./parameters.ts";
import { type ApiPrincipal, authenticateApi } from "./api-principal.ts";
import { badRequest } from "./errors.ts";
import { aggregateAPISysparms, rejectUnknownSysparms } from "./sysparm-names.ts";
import { guarded, type Handler, resolveTable, type TableRoute } from "./table-routes.ts";

/**
 * The Aggregate API: GET /api/now/stats/{table} (also /v1). One SQL aggregate answers it;
 * values are strings on the wire, as the platform sends them: `{"result": {"stats": {"count":
 * "12", "avg": {"priority": "2.5000"}}}}`, or with sysparm_group_by a list of `{"stats",
 * "groupby_fields": [{"field", "value"}]}`.
 */
const maxGroups = 10_000;

type Stats = Record<string, string | Record<string, string>>;
type GroupField = { field: string; value: string; display_value?: string };

/**
 * AVG with exactly four decimals, as the platform writes it ("1.0000", "804162.7143"): a client
 * comparing or parsing the text sees what an instance sends. Empty when no row had a value.
 */
function formatAverage(raw: unknown): string {
  if (raw === null || raw === undefined) return "";
  return Number(raw).toFixed(4);
}

function specsOf(params: AggregateParams): { spec: AggregateSpec; field?: FieldDef }[] {
  const specs: { spec: AggregateSpec; field?: FieldDef }[] = params.count ? [{ spec: { aggregate: "count" } }] : [];
  for (const aggregate of fieldAggregates) for (const field of params.fields[aggregate]) specs.push({ spec: { aggregate, field: field.name }, field });
  return specs;
}

function statsOf(specs: ReturnType<typeof specsOf>, values: unknown[]): Stats {
  const stats: Stats = {};
  specs.forEach(({ spec, field }, i) => {
    const raw = values[i];
    if (spec.aggregate === "count") {
      stats.count = String(raw ?? 0);
      return;
    }
    const text = spec.aggregate === "avg" ? formatAverage(raw) : spec.aggregate === "sum" ? (raw === null || raw === undefined ? "" : String(raw)) : wireValue(field!, raw);
    const group = (stats[spec.aggregate] ??= {}) as Record<string, string>;
    group[field!.name] = text;
  });
  return stats;
}

/** Display values of grouped references, in tables the caller may read (otherwise the sys_id stands in). */
async function referenceDisplays(db: Kysely<Database>, principal: ApiPrincipal, groupBy: readonly FieldDef[], groups: unknown[][]): Promise<Map<string, string>[]> {
  return Promise.all(
    groupBy.map(async (field, i) => {
      if (field.type !== "reference" || !field.reference) return new Map<string, string>();
      const target: TableDef | undefined = await findTableDef(db, field.reference);
      const ids = groups.map((g) => g[i]).filter((v): v is string => typeof v === "string" && v !== "");
      return target && mayDo(principal, target, "read") ? displayValues(db, target, ids) : new Map<string, string>();
    }),
  );
}

/**
 * The answer's `result` for checked parameters: `{stats}` without groups, a list of `{stats,
 * groupby_fields}` with them. Shared with GlideAggregate's data call (scripted-rest/glide-aggregate-call.ts).
 */
export async function aggregateResult(instance: Instance, principal: ApiPrincipal, table: TableDef, params: AggregateParams): Promise<{ stats: Stats } | { stats: Stats; groupby_fields: GroupField[] }[]> {
  const specs = specsOf(params);
  const { rows, more } = await aggregateRecords(instance.store.db, {
    table,
    dialect: instance.store.dialect,
    query: params.query,
    aggregates: specs.map((s) => s.spec),
    groupBy: params.groupBy.map((f) => f.name),
    walks: params.walks,
    having: params.having,
    orderBy: params.orderBy,
    maxGroups,
    window: params.window,
    ...(params.trend ? { trend: { field: params.trend.field.name, spec: params.trend.spec } } : {}),
    mayReadDisplay: mayReadDisplay(principal),
  });
  if (more) throw badRequest(`the query makes more than ${maxGroups} groups; narrow sysparm_query or group by fewer fields`);
  const trend = params.trend?.spec;
  if (params.groupBy.length === 0 && !trend) return { stats: rows[0] ? statsOf(specs, rows[0].values) : {} };
  const displays = params.displayValue === "false" ? [] : await referenceDisplays(instance.store.db, principal, params.groupBy, rows.map((r) => r.groups));
  // A trend's period is text of its own, the same as value and as display value.
  const period = (row: (typeof rows)[number]): GroupField[] => {
    if (!trend) return [];
    const value = trendLabel(trend, row.trend);
    return [params.displayValue === "all" ? { field: trendName, value, display_value: value } : { field: trendName, value }];
  };
  return rows.map((row) => ({
    stats: statsOf(specs, row.values),
    groupby_fields: period(row).concat(params.groupBy.map((field, i) => {
      const value = wireValue(field, row.groups[i]);
      if (params.displayValue === "false") return { field: field.name, value };
      const shown = field.type === "reference" ? (value === "" ? "" : (displays[i]?.get(value) ?? value)) : displayValue(field, row.groups[i]);
      return params.displayValue === "true" ? { field: field.name, value: shown } : { field: field.name, value, display_value: shown };
    })),
  }));
}

const stats: Handler = async (instance, request, reply) => {
  const principal = await authenticateApi(instance, request, { api: "Aggregate API" });
  const query = (request.query ?? {}) as Query;
  rejectUnknownSysparms(query, aggregateAPISysparms);
  const table = await resolveTable(instance, request);
  requireAccess(principal, table, "read");
  const params = await readAggregateParams(query, principal, table, instance.now(), instance.store.db);
  reply.send({ result: await aggregateResult(instance, principal, table, params) });
};

/** The platform serves the Aggregate API unversioned and as v1. */
export function aggregateApiRoutes(): TableRoute[] {
  return ["/api/now/stats", "/api/now/v1/stats"].map((base) => ({ method: "GET", url: `${base}/:table`, handler: guarded(stats) }));
}
