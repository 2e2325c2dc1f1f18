import type { Kysely } from "kysely";
import { newSecret, sha256 } from "../domain/secrets.ts";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import type { Database } from "./schema.ts";

export interface LoginSession {
  sysId: string;
  userSysId: string;
  csrfToken: string;
  expiresAt: number;
}

/** A signed-in browser. The cookie holds the random id; the database holds only its hash. */
export async function createLoginSession(db: Kysely<Database>, userSysId: string, lifespanSeconds: number, now = Date.now()): Promise<{ cookieValue: string; session: LoginSession }> {
  const cookieValue = newSecret();
  const session: LoginSession = { sysId: newSysId(), userSysId, csrfToken: newSecret(), expiresAt: now + lifespanSeconds * 1000 };
  await db
    .insertInto("login_session")
    .values({ sys_id: session.sysId, session_hash: sha256(cookieValue), user: userSysId, csrf_token: session.csrfToken, expires_at: session.expiresAt, sys_created_on: glideDateTime(now) })
    .execute();
  return { cookieValue, session };
}

export async function findLoginSession(db: Kysely<Database>, cookieValue: string, lifespanSeconds: number, now = Date.now()): Promise<LoginSession | undefined> {
  const row = await db.selectFrom("login_session").selectAll().where("session_hash", "=", sha256(cookieValue)).executeTakeFirst();
  if (!row || row.expires_at <= now) return undefined;
  const session = { sysId: row.sys_id, userSysId: row.user, csrfToken: row.csrf_token, expiresAt: row.expires_at };
  // Sliding expiry, written at most once a minute so reads stay reads.
  const renewed = now + lifespanSeconds * 1000;
  if (renewed - row.expires_at > 60_000) {
    await db.updateTable("login_session").set({ expires_at: renewed }).where("sys_id", "=", row.sys_id).execute();
    session.expiresAt = renewed;
  }
  return session;
}

/** Housekeeping: sessions past their expiry can never be used again. */
export async function deleteExpiredSessions(db: Kysely<Database>, now = Date.now()): Promise<void> {
  await db.deleteFrom("login_session").where("expires_at", "<=", now).execute();
}

export async function deleteLoginSession(db: Kysely<Database>, cookieValue: string): Promise<void> {
  await db.deleteFrom("login_session").where("session_hash", "=", sha256(cookieValue)).execute();
}
