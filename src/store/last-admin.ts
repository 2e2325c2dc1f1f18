import type { Kysely } from "kysely";
import { type FieldIssue, ValidationError } from "../domain/validation.ts";
import { onSqlite } from "./database.ts";
import type { Database } from "./schema.ts";

/** Active users holding admin, as the caller's transaction sees them. */
async function activeAdminCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("sys_user_has_role")
    .innerJoin("sys_user_role", "sys_user_role.sys_id", "sys_user_has_role.role")
    .innerJoin("sys_user", "sys_user.sys_id", "sys_user_has_role.user")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("sys_user_role.name", "=", "admin")
    .where("sys_user.active", "=", 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Runs a change that may take admin away from someone (a deactivation, a deleted user or grant,
 * the admin role renamed) and refuses it, rolling the transaction back, when it leaves the
 * instance with no active administrator where it had one. Counting after the change is what
 * covers every way of making it. On PostgreSQL the admin role's row is locked first, so two
 * such changes run one after the other: each taking a different one of two admins away would
 * otherwise still see the other and both commit. SQLite runs one write transaction at a time.
 */
export async function keepingAnAdmin<T>(trx: Kysely<Database>, refusal: FieldIssue, change: () => Promise<T>): Promise<T> {
  if (!onSqlite(trx)) await trx.selectFrom("sys_user_role").select("sys_id").where("name", "=", "admin").forNoKeyUpdate().execute();
  const before = await activeAdminCount(trx);
  const result = await change();
  if (before > 0 && (await activeAdminCount(trx)) === 0) throw new ValidationError([refusal]);
  return result;
}
