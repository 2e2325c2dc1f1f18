import type { Kysely } from "kysely";
import { fieldOf } from "../../domain/dictionary.ts";
import { ensureCoalesceIndex } from "../custom-table-store.ts";
import { findTableDef } from "../dictionary-store.ts";
import type { Database } from "../schema.ts";

/**
 * A coalesce matches without regard to case unless its field map says otherwise, as on the
 * platform (the transform entry's "Coalesce case sensitive", off by default). Text coalesce
 * fields made before this get the lower(column) index the lookup now uses, so an import into a
 * large table does not turn into a scan per row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_transform_entry").addColumn("coalesce_case_sensitive", "integer", (c) => c.notNull().defaultTo(0)).execute();
  const entries = await db
    .selectFrom("sys_transform_entry as e")
    .innerJoin("sys_transform_map as m", "m.sys_id", "e.map")
    .select(["m.target_table as target_table", "e.target_field as target_field"])
    .where("e.coalesce", "=", 1)
    .execute();
  for (const entry of entries as { target_table: string; target_field: string }[]) {
    const table = await findTableDef(db as Kysely<Database>, entry.target_table);
    const field = table && fieldOf(table, entry.target_field);
    if (field?.type === "string") await ensureCoalesceIndex(db as Kysely<Database>, entry.target_table, entry.target_field, true);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_transform_entry").dropColumn("coalesce_case_sensitive").execute();
}
