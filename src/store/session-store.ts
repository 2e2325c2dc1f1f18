import type { Kysely } from "kysely";
import { newSecret, sha256 } from "../domain/secrets.ts";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import { onSqlite } from "./database.ts";
import { precompiled } from "./precompiled-query.ts";
import type { Database } from "./schema.ts";

export interface LoginSession {
  sysId: string;
  userSysId: string;
  csrfToken: string;
  expiresAt: number;
  /** The sign-in's absolute end: expiresAt slides with use but never past it. */
  absoluteExpiresAt: number;
}

/** How long a session lives: idleSeconds without a request, and maxSeconds after sign-in however it is used. */
export interface SessionLifespans {
  idleSeconds: number;
  maxSeconds: number;
}

/** A signed-in browser. The cookie holds the random id; the database holds only its hash. */
export async function createLoginSession(db: Kysely<Database>, userSysId: string, lifespans: SessionLifespans, now = Date.now()): Promise<{ cookieValue: string; session: LoginSession }> {
  const cookieValue = newSecret();
  const absoluteExpiresAt = now + lifespans.maxSeconds * 1000;
  const session: LoginSession = { sysId: newSysId(), userSysId, csrfToken: newSecret(), expiresAt: Math.min(now + lifespans.idleSeconds * 1000, absoluteExpiresAt), absoluteExpiresAt };
  await db
    .insertInto("login_session")
    .values({ sys_id: session.sysId, session_hash: sha256(cookieValue), user: userSysId, csrf_token: session.csrfToken, expires_at: session.expiresAt, absolute_expires_at: absoluteExpiresAt, sys_created_on: glideDateTime(now) })
    .execute();
  return { cookieValue, session };
}

export async function findLoginSession(db: Kysely<Database>, cookieValue: string, lifespans: SessionLifespans, now = Date.now()): Promise<LoginSession | undefined> {
  const row = await db.selectFrom("login_session").selectAll().where("session_hash", "=", sha256(cookieValue)).executeTakeFirst();
  if (!row) return undefined;
  const absoluteExpiresAt = Math.min(row.absolute_expires_at, latestEndUnder(row.sys_created_on, lifespans.maxSeconds));
  if (Math.min(row.expires_at, absoluteExpiresAt) <= now) return undefined;
  const session = { sysId: row.sys_id, userSysId: row.user, csrfToken: row.csrf_token, expiresAt: row.expires_at, absoluteExpiresAt };
  // Sliding expiry, written at most once a minute so reads stay reads; the last step, to the
  // absolute end, is written however short, so a session in use ends at that end and not before.
  const renewed = Math.min(now + lifespans.idleSeconds * 1000, absoluteExpiresAt);
  if (renewed - row.expires_at > 60_000 || (renewed === absoluteExpiresAt && renewed > row.expires_at)) {
    await db.updateTable("login_session").set({ expires_at: renewed }).where("sys_id", "=", row.sys_id).execute();
    session.expiresAt = renewed;
  }
  return session;
}

/**
 * The absolute end the current cap gives a session created in the second `createdOn` names:
 * the stored end was worked out from the cap at sign-in, so an admin who shortens
 * PORTCULLIS_SESSION_MAX_LIFESPAN would otherwise reach only new sign-ins. The creation time
 * has whole seconds, so this is the end for a sign-in at that second's last millisecond: with
 * the cap unchanged it is never before the stored end, and a shortened cap is kept to within a
 * second. A longer cap does not lengthen a session (the caller takes the earlier of the two).
 */
function latestEndUnder(createdOn: string, maxSeconds: number): number {
  const createdSecond = Date.parse(`${createdOn.replace(" ", "T")}Z`);
  return Number.isNaN(createdSecond) ? 0 : createdSecond + 999 + maxSeconds * 1000;
}

/**
 * On PostgreSQL FOR SHARE: a password change or deactivation deleting the session is waited for
 * and then read, and one that starts after this read waits for the caller's commit, so that its
 * deletion of the user's unexchanged codes (user-access.ts) sees what the caller wrote.
 */
const openSessionRow = precompiled((db: Kysely<Database>, sysId: string, now: number) => {
  const query = db.selectFrom("login_session").select("sys_id").where("sys_id", "=", sysId).where("expires_at", ">", now).where("absolute_expires_at", ">", now);
  return onSqlite(db) ? query : query.forShare();
});

/**
 * Whether a session read earlier in the request is still open, read in the transaction that
 * writes on its behalf: a new password or a deactivation committed since has deleted it.
 */
export async function sessionStillOpen(db: Kysely<Database>, sessionSysId: string, now = Date.now()): Promise<boolean> {
  return (await openSessionRow(db, sessionSysId, now)).rows.length > 0;
}

/** Housekeeping: sessions past their expiry can never be used again. */
export async function deleteExpiredSessions(db: Kysely<Database>, now = Date.now()): Promise<void> {
  await db
    .deleteFrom("login_session")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("absolute_expires_at", "<=", now)]))
    .execute();
}

export async function deleteLoginSession(db: Kysely<Database>, cookieValue: string): Promise<void> {
  await db.deleteFrom("login_session").where("session_hash", "=", sha256(cookieValue)).execute();
}
