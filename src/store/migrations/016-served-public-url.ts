import type { Kysely } from "kysely";

/**
 * The public URL the instance last started serving, so a command run beside it (`provider
 * create` without --public-url) names the redirect URL the instance uses instead of one
 * assumed from the default port. A row per URL served; the latest start's is the one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("served_public_url")
    .addColumn("url", "text", (c) => c.primaryKey())
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("served_public_url").execute();
}
