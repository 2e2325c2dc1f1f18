import type { Kysely } from "kysely";

/** The language a user reads the instance in; null means the browser's or the instance default. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_user").addColumn("preferred_language", "varchar(10)").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_user").dropColumn("preferred_language").execute();
}
