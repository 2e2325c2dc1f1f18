import type { EncodedQuery } from "../../domain/encoded-query.ts";

/**
 * Narrows a query on sys_attachment to attachments of the given tables, by ANDing a
 * `table_name IN …` group into every ORed query, so paging and X-Total-Count count only
 * what the caller may see. Undefined when no table is allowed: nothing can match.
 */
export function onlyTables(query: EncodedQuery, tableNames: readonly string[]): EncodedQuery | undefined {
  if (tableNames.length === 0) return undefined;
  const scope = [{ field: "table_name", operator: "IN" as const, value: tableNames.join(",") }];
  const queries = query.queries.length === 0 ? [[scope]] : query.queries.map((q) => [...q, scope]);
  return { ...query, queries };
}
