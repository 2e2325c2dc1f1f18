import type { Kysely } from "kysely";
import { onSqlite } from "./database.ts";
import { precompiled } from "./precompiled-query.ts";
import type { Database } from "./schema.ts";
import type { User } from "./user-store.ts";

/**
 * On PostgreSQL FOR SHARE: a password change or deactivation in progress is waited for and then
 * read, and one that starts after this read waits for the sign-in's commit, so that its
 * revocation sees what the sign-in wrote. SQLite runs one write transaction at a time.
 */
const signInState = precompiled((db: Kysely<Database>, sysId: string) => {
  const query = db.selectFrom("sys_user").select(["password_hash", "active"]).where("sys_id", "=", sysId);
  return onSqlite(db) ? query : query.forShare();
});

/**
 * Whether a sign-in may still write what it opens (tokens, a session): the user is active and
 * still has the password hash that was checked. Read in the transaction that writes them: the
 * check read the hash before argon2 ran, and a new password or a deactivation committed since
 * has already ended the user's tokens and sessions (user-access.ts), so whatever this sign-in
 * wrote after it would outlive it.
 */
export async function checkedPasswordHolds(db: Kysely<Database>, checked: Pick<User, "sysId" | "passwordHash">): Promise<boolean> {
  const row = (await signInState(db, checked.sysId)).rows[0];
  return row !== undefined && row.active === 1 && row.password_hash === checked.passwordHash;
}
