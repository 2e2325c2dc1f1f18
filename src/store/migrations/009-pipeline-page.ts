import type { Kysely } from "kysely";

/**
 * What `pipeline up`, `verify` and `rotate` last saw, recorded on every instance of the
 * pipeline so the admin UI's Pipeline page can draw edges this instance cannot observe itself
 * (whether a peer's call to a third instance works). The report is JSON the pipeline wrote
 * and the API validated; older runs are pruned on insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("pipeline_run")
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull())
    .addColumn("recorded_at", "bigint", (c) => c.notNull())
    .addColumn("recorded_by", "varchar(100)", (c) => c.notNull())
    .addColumn("report", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("pipeline_run_recorded_at").on("pipeline_run").column("recorded_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("pipeline_run").execute();
}
