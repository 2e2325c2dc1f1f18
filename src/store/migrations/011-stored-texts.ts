import type { Kysely } from "kysely";

/**
 * An audited change's reason as a catalog text (src/i18n/stored-text.ts), so the Korean audit
 * page words it in Korean. `reason` keeps its English for the Table API's sys_audit, as before;
 * rows written earlier have no text and show that English.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_audit").addColumn("reason_text", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_audit").dropColumn("reason_text").execute();
}
