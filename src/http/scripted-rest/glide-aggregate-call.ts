import type { TableDef } from "../../domain/dictionary.ts";
import type { Instance } from "../../instance.ts";
import { aggregateResult } from "../table-api/aggregate-api.ts";
import { readAggregateParams } from "../table-api/aggregate-parameters.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";

/**
 * GlideAggregate's data call (scripting/glide-aggregate.ts): its query, aggregates and groups
 * become the Aggregate API's parameters, as a client would send them to /api/now/stats, so the
 * same checks hold (fields that exist and the caller may read, AVG and SUM on numbers, the group
 * limit) and the same statement answers. One entry per group; without groups, one.
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

export async function glideAggregate(instance: Instance, principal: ApiPrincipal, table: TableDef, [query, aggregates, groupBy]: unknown[]): Promise<unknown[]> {
  const params = await readAggregateParams(parameters(query, aggregates, groupBy), principal, table, instance.now(), instance.store.db);
  const result = await aggregateResult(instance, principal, table, params);
  return Array.isArray(result) ? result : [result];
}
