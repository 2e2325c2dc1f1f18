import type { Kysely } from "kysely";

/**
 * A user's first and last name, from which the platform calculates sys_user.name. Users made
 * before this keep their name as stored; their parts start empty, and nothing is split out of
 * the name, which need not be "first last" (a team account, a name written family name first).
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ["first_name", "last_name"]) {
    await db.schema.alterTable("sys_user").addColumn(column, "varchar(50)", (c) => c.notNull().defaultTo("")).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ["first_name", "last_name"]) await db.schema.alterTable("sys_user").dropColumn(column).execute();
}
