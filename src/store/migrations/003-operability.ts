import type { Kysely } from "kysely";

/**
 * What several nodes must share: fixed-window request counters (so a rate limit holds across
 * nodes) and job leases (so a background job runs on one node at a time).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("rate_limit")
    .addColumn("bucket", "varchar(200)", (c) => c.primaryKey())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("rate_limit_window_start").on("rate_limit").column("window_start").execute();
  await db.schema
    .createTable("job_lease")
    .addColumn("name", "varchar(100)", (c) => c.primaryKey())
    .addColumn("holder", "varchar(100)", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("job_lease").execute();
  await db.schema.dropTable("rate_limit").execute();
}
