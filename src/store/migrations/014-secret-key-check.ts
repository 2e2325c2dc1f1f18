import type { Kysely } from "kysely";

/**
 * A value sealed with the secret key by the first PostgreSQL node to start, so a node given
 * another key is refused at once rather than when the first provider secret is recorded
 * (src/consumer/secret-key-check.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("secret_key_check")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("sealed", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("secret_key_check").execute();
}
