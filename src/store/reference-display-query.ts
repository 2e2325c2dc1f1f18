import type { Kysely } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import type { EncodedQuery } from "../domain/encoded-query.ts";
import { findTableDef } from "./dictionary-store.ts";
import type { Database } from "./schema.ts";

/** For each reference field a text operator is applied to: the table it points into and the column its records are shown by. */
export type DisplayColumns = ReadonlyMap<string, { table: string; column: string }>;

const textOperators = new Set(["LIKE", "NOT LIKE", "STARTSWITH", "ENDSWITH"]);

/**
 * The platform reads `caller_idSTARTSWITHDon` as "the caller's name begins with Don": a text
 * operator on a reference matches the referenced record's display value, not its sys_id. Only
 * tables the caller may read (and whose display field it may read) are looked into; elsewhere
 * the sys_id is matched as before, so a filter never reveals what a list would not show.
 */
export async function referenceDisplayColumns(db: Kysely<Database>, table: TableDef, query: EncodedQuery, mayReadDisplay: (target: TableDef) => boolean): Promise<DisplayColumns> {
  const out = new Map<string, { table: string; column: string }>();
  for (const condition of query.queries.flat(2)) {
    if (!textOperators.has(condition.operator) || out.has(condition.field)) continue;
    const field = table.fields.find((f) => f.name === condition.field);
    if (field?.type !== "reference" || !field.reference) continue;
    const target = await findTableDef(db, field.reference);
    if (target && mayReadDisplay(target)) out.set(field.name, { table: target.name, column: target.displayField });
  }
  return out;
}
