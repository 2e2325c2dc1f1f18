import type { Kysely } from "kysely";

/**
 * When the connection's last refresh or token request failed (epoch ms), kept beside the reason:
 * an unhealthy connection whose token still works says since when its renewal has been failing.
 * Null while healthy; rows marked unhealthy before this have no time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oauth_obtained_token").addColumn("failed_at", "bigint").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oauth_obtained_token").dropColumn("failed_at").execute();
}
