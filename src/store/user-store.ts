import { type Kysely, sql } from "kysely";
import { joinedText } from "../domain/calculated-fields.ts";
import type { Database, SysUserTable } from "./schema.ts";
import { issue, ValidationError } from "../domain/validation.ts";
import { creationEntries, writeAudit } from "./audit-store.ts";
import { isUniqueViolation } from "./unique-violation.ts";
import { bit, newSystemFields } from "./system-fields.ts";
import { precompiled } from "./precompiled-query.ts";

export interface User {
  sysId: string;
  userName: string;
  name: string;
  firstName: string;
  lastName: string;
  active: boolean;
  passwordHash: string | null;
  failedAttempts: number;
  lockedUntil: number | null;
  preferredLanguage: string | null;
}

/** What a request acting as a user needs of them: who they are, and whether they may act now. */
export type Actor = Pick<User, "sysId" | "userName" | "name" | "active">;

export function toUser(row: SysUserTable): User {
  return {
    sysId: row.sys_id,
    userName: row.user_name,
    name: row.name,
    firstName: row.first_name,
    lastName: row.last_name,
    active: row.active === 1,
    passwordHash: row.password_hash,
    failedAttempts: row.failed_attempts,
    lockedUntil: row.locked_until,
    preferredLanguage: row.preferred_language ?? null,
  };
}

export async function findUserByName(db: Kysely<Database>, userName: string): Promise<User | undefined> {
  const row = await db.selectFrom("sys_user").selectAll().where("user_name", "=", userName).executeTakeFirst();
  return row && toUser(row);
}

/** Every user whose user_name is the given one but for case; lower() on both sides is what the index of migration 013 serves. */
const usersNamedCaselessly = precompiled((db: Kysely<Database>, userName: string) =>
  db.selectFrom("sys_user").selectAll().where(sql<string>`lower(${sql.ref("user_name")})`, "=", sql<string>`lower(${userName})`),
);

/**
 * The user a sign-in names. User names are case-insensitive at login on the platform ("Admin"
 * signs in as admin): the user_name as typed first, else the one user it names but for case.
 * When two users differ only by case, a third spelling names neither, and the sign-in fails as
 * for an unknown name. One query either way, so its time does not tell which case applied.
 */
export async function findUserForSignIn(db: Kysely<Database>, userName: string): Promise<User | undefined> {
  const rows = (await usersNamedCaselessly(db, userName)).rows;
  const row = rows.find((r) => r.user_name === userName) ?? (rows.length === 1 ? rows[0] : undefined);
  return row && toUser(row);
}

const userById = precompiled((db: Kysely<Database>, sysId: string) => db.selectFrom("sys_user").selectAll().where("sys_id", "=", sysId));

export async function findUserById(db: Kysely<Database>, sysId: string): Promise<User | undefined> {
  const row = (await userById(db, sysId)).rows[0];
  return row && toUser(row);
}

/** A user given by name or sys_id, as the CLI and the Table API accept either. */
export async function findUserByNameOrId(db: Kysely<Database>, key: string): Promise<User | undefined> {
  return (await findUserByName(db, key)) ?? (await findUserById(db, key));
}

export async function createUser(
  db: Kysely<Database>,
  input: { userName: string; name?: string; firstName?: string; lastName?: string; email?: string; passwordHash: string | null; roles?: string[] },
  actor: string,
): Promise<User> {
  const firstName = input.firstName ?? "";
  const lastName = input.lastName ?? "";
  const roles = [...new Set(input.roles ?? [])];
  const now = Date.now();
  return userNameUnique(db, input.userName, () => db.transaction().execute(async (trx) => {
    const row: SysUserTable = {
      ...newSystemFields(actor, now),
      user_name: input.userName,
      // A name given wins; otherwise the platform's calculated "first last"; a user with neither is named by their user name.
      name: input.name || joinedText([firstName, lastName]) || input.userName,
      first_name: firstName,
      last_name: lastName,
      email: input.email ?? "",
      password_hash: input.passwordHash,
      active: bit(true),
      failed_attempts: 0,
      locked_until: null,
      preferred_language: null,
    };
    await trx.insertInto("sys_user").values(row).execute();
    for (const role of roles) await grantRole(trx, row.sys_id, role, actor);
    // Every field the creation set, in the New user form's order (never the password's hash); Active as setUserActive records it.
    const created = creationEntries("sys_user", row.sys_id, [["user_name", row.user_name], ["first_name", row.first_name], ["last_name", row.last_name], ["name", row.name], ["email", row.email], ["active", "true"]], actor);
    // A role given at creation reads in the user's History as one granted later does (grantUserRole's row), at the creation's time.
    await writeAudit(trx, [...created, ...roles.map((role) => ({ tablename: "sys_user", documentkey: row.sys_id, fieldname: "roles", newvalue: `+${role}`, user: actor }))], now);
    return toUser(row);
  }));
}

/**
 * Callers check the name is free before the slow password hash; two creations of one name
 * racing past that check meet the unique index instead, and the loser is told the name is
 * taken, as it would have been a moment later, rather than getting a 500.
 */
async function userNameUnique<T>(db: Kysely<Database>, userName: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (isUniqueViolation(error) && (await findUserByName(db, userName))) {
      throw new ValidationError([issue("user_name", "validation.userExists", { name: userName })]);
    }
    throw error;
  }
}

/** The admin role's description as the instance writes it on first start (stored, so in English). */
export const adminRoleDescription = "Full control of the instance";

export async function ensureRole(db: Kysely<Database>, name: string, description: string, actor: string): Promise<string> {
  const existing = await db.selectFrom("sys_user_role").select("sys_id").where("name", "=", name).executeTakeFirst();
  if (existing) return existing.sys_id;
  const row = { ...newSystemFields(actor), name, description };
  await db.insertInto("sys_user_role").values(row).onConflict((oc) => oc.column("name").doNothing()).execute();
  const stored = await db.selectFrom("sys_user_role").select("sys_id").where("name", "=", name).executeTakeFirstOrThrow();
  return stored.sys_id;
}

export async function grantRole(db: Kysely<Database>, userSysId: string, roleName: string, actor: string): Promise<void> {
  const role = await ensureRole(db, roleName, "", actor);
  await db
    .insertInto("sys_user_has_role")
    .values({ ...newSystemFields(actor), user: userSysId, role })
    .onConflict((oc) => oc.columns(["user", "role"]).doNothing())
    .execute();
}

/** Roles are read when a token is used, never frozen into it. */
export async function rolesOf(db: Kysely<Database>, userSysId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("sys_user_has_role")
    .innerJoin("sys_user_role", "sys_user_role.sys_id", "sys_user_has_role.role")
    .select("sys_user_role.name")
    .where("sys_user_has_role.user", "=", userSysId)
    .orderBy("sys_user_role.name")
    .execute();
  return rows.map((r) => r.name);
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom("sys_user").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Counts a failed login atomically; the attempt that reaches the limit locks the account.
 * A lock that has run out starts the count afresh, so one late guess does not lock again.
 */
export async function recordLoginFailure(db: Kysely<Database>, userSysId: string, maxAttempts: number, lockMs: number, now = Date.now()): Promise<void> {
  const expired = sql<boolean>`(locked_until is not null and locked_until <= ${now})`;
  const attempts = sql<number>`(case when ${expired} then 1 else failed_attempts + 1 end)`;
  await db
    .updateTable("sys_user")
    .set({
      failed_attempts: attempts,
      locked_until: sql<number | null>`case when ${attempts} >= ${maxAttempts} then ${now + lockMs} when ${expired} then null else locked_until end`,
    })
    .where("sys_id", "=", userSysId)
    .execute();
}

export async function clearLoginFailures(db: Kysely<Database>, userSysId: string): Promise<void> {
  await db.updateTable("sys_user").set({ failed_attempts: 0, locked_until: null }).where("sys_id", "=", userSysId).where("failed_attempts", ">", 0).execute();
}

/** The user's language preference; null returns them to the browser's or the instance default. */
export async function setPreferredLanguage(db: Kysely<Database>, sysId: string, language: string | null): Promise<void> {
  await db.updateTable("sys_user").set({ preferred_language: language }).where("sys_id", "=", sysId).execute();
}
