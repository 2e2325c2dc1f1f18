import type { Kysely, Selectable, SelectQueryBuilder } from "kysely";
import { glideDateTime } from "../domain/sys-id.ts";
import { NotFoundError, issue, ValidationError } from "../domain/validation.ts";
import { writeAudit } from "./audit-store.ts";
import { keepingAnAdmin } from "./last-admin.ts";
import type { Database } from "./schema.ts";
import { bit } from "./system-fields.ts";
import { endUserAccess } from "./user-access.ts";
import { createUser, findUserById, grantRole, rolesOf, type User } from "./user-store.ts";

/** What an administrator manages about users and roles; every change is audited. */
export interface UserListing extends Omit<User, "passwordHash"> {
  email: string;
  roles: string[];
  hasPassword: boolean;
  updatedOn: string;
}

type UserQuery = SelectQueryBuilder<Database, "sys_user", Selectable<Database["sys_user"]>>;

/** Every user, by user name (the CLI's list and the overview's count). */
export async function listUsers(db: Kysely<Database>): Promise<UserListing[]> {
  return listUsersWhere(db, (query) => query.orderBy("user_name"));
}

/** Users narrowed and ordered by the caller (the Users list's filter, sort and page), with their roles. */
export async function listUsersWhere(db: Kysely<Database>, refine: (query: UserQuery) => UserQuery): Promise<UserListing[]> {
  const rows = await refine(db.selectFrom("sys_user").selectAll()).execute();
  if (rows.length === 0) return [];
  // Only the shown users' grants: a page of a hundred does not read every user's roles.
  const grants = await db
    .selectFrom("sys_user_has_role")
    .innerJoin("sys_user_role", "sys_user_role.sys_id", "sys_user_has_role.role")
    .select(["sys_user_has_role.user as user", "sys_user_role.name as role"])
    .where("sys_user_has_role.user", "in", rows.map((row) => row.sys_id))
    .orderBy("sys_user_role.name")
    .execute();
  return rows.map((row) => ({
    sysId: row.sys_id,
    userName: row.user_name,
    name: row.name,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    active: row.active === 1,
    failedAttempts: row.failed_attempts,
    lockedUntil: row.locked_until,
    preferredLanguage: row.preferred_language ?? null,
    hasPassword: row.password_hash !== null,
    updatedOn: row.sys_updated_on,
    roles: grants.filter((g) => g.user === row.sys_id).map((g) => g.role),
  }));
}

export async function findUserListing(db: Kysely<Database>, sysId: string): Promise<UserListing | undefined> {
  return (await listUsersWhere(db, (query) => query.where("sys_id", "=", sysId)))[0];
}

async function requireUser(db: Kysely<Database>, sysId: string): Promise<User> {
  const user = await findUserById(db, sysId);
  if (!user) throw new NotFoundError(`no user with sys_id "${sysId}"`);
  return user;
}

function touched(actor: string, now: number) {
  return { sys_updated_on: glideDateTime(now), sys_updated_by: actor };
}

export interface PasswordChange {
  actor: string;
  /** The signed-in session of a user setting their own password: it stays, the user's other sessions end. */
  keepSession?: string | undefined;
  now?: number;
}

/**
 * Sets a password hash and clears any lockout; the hash is never audited. The user's sessions and
 * live tokens end with the old password (all of them, or all but the session making the change).
 */
export async function setUserPassword(db: Kysely<Database>, sysId: string, passwordHash: string, change: PasswordChange): Promise<void> {
  const { actor, keepSession, now = Date.now() } = change;
  await db.transaction().execute(async (trx) => {
    await requireUser(trx, sysId);
    await trx.updateTable("sys_user").set({ password_hash: passwordHash, failed_attempts: 0, locked_until: null, ...touched(actor, now) }).where("sys_id", "=", sysId).execute();
    await endUserAccess(trx, sysId, { actor, reason: { key: "auditReason.passwordChanged" }, keepSession, now });
    await writeAudit(trx, [{ tablename: "sys_user", documentkey: sysId, fieldname: "password", newvalue: "(changed)", user: actor }], now);
  });
}

export async function grantUserRole(db: Kysely<Database>, sysId: string, role: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await requireUser(trx, sysId);
    if ((await rolesOf(trx, sysId)).includes(role)) return;
    await grantRole(trx, sysId, role, actor);
    await writeAudit(trx, [{ tablename: "sys_user", documentkey: sysId, fieldname: "roles", newvalue: `+${role}`, user: actor }]);
  });
}

export async function removeUserRole(db: Kysely<Database>, sysId: string, role: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await requireUser(trx, sysId);
    const roleRow = await trx.selectFrom("sys_user_role").select("sys_id").where("name", "=", role).executeTakeFirst();
    if (!roleRow) return;
    const remove = () => trx.deleteFrom("sys_user_has_role").where("user", "=", sysId).where("role", "=", roleRow.sys_id).executeTakeFirst();
    const result = await (role === "admin" ? keepingAnAdmin(trx, issue("role", "validation.lastAdmin"), remove) : remove());
    if (Number(result.numDeletedRows) > 0) await writeAudit(trx, [{ tablename: "sys_user", documentkey: sysId, fieldname: "roles", newvalue: `-${role}`, user: actor }]);
  });
}

/** A deactivated user can no longer sign in, and loses its sessions and live tokens at once. */
export async function setUserActive(db: Kysely<Database>, sysId: string, active: boolean, actor: string, now = Date.now()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await requireUser(trx, sysId);
    if (user.active === active) return;
    const write = () => trx.updateTable("sys_user").set({ active: bit(active), ...touched(actor, now) }).where("sys_id", "=", sysId).execute();
    if (active) await write();
    else {
      await keepingAnAdmin(trx, issue("active", "validation.lastAdmin"), write);
      await endUserAccess(trx, sysId, { actor, reason: { key: "auditReason.userDeactivated" }, now });
    }
    await writeAudit(trx, [{ tablename: "sys_user", documentkey: sysId, fieldname: "active", oldvalue: String(user.active), newvalue: String(active), user: actor }], now);
  });
}

export interface RoleListing {
  sysId: string;
  name: string;
  description: string;
  users: string[];
}

export async function listRoles(db: Kysely<Database>): Promise<RoleListing[]> {
  const roles = await db.selectFrom("sys_user_role").selectAll().orderBy("name").execute();
  const members = await db
    .selectFrom("sys_user_has_role")
    .innerJoin("sys_user", "sys_user.sys_id", "sys_user_has_role.user")
    .select(["sys_user_has_role.role as role", "sys_user.user_name as userName"])
    .orderBy("sys_user.user_name")
    .execute();
  return roles.map((r) => ({ sysId: r.sys_id, name: r.name, description: r.description, users: members.filter((m) => m.role === r.sys_id).map((m) => m.userName) }));
}

/** Creates a user with a password hash; a taken name is a field error, not a constraint violation. */
export async function createUserAccount(
  db: Kysely<Database>,
  input: { userName: string; name: string; firstName: string; lastName: string; email: string; passwordHash: string; roles: string[] },
  actor: string,
): Promise<User> {
  const existing = await db.selectFrom("sys_user").select("sys_id").where("user_name", "=", input.userName).executeTakeFirst();
  if (existing) throw new ValidationError([issue("user_name", "validation.userExists", { name: input.userName })]);
  return createUser(db, input, actor);
}
