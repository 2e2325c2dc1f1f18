import type { StoredText } from "../i18n/stored-text.ts";
import type { Kysely } from "kysely";
import type { OAuthClient } from "../domain/oauth-entity.ts";
import { newTokenValue, tokenLookupKey } from "../domain/token-value.ts";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import { onSqlite } from "./database.ts";
import { type AuditEntry, auditRows, insertAuditRow, writeAudit } from "./audit-store.ts";
import type { Database, OAuthCredentialTable } from "./schema.ts";
import { precompiled, precompiledInsert } from "./precompiled-query.ts";
import type { SqliteWriter } from "./sqlite-writer.ts";

export interface Grant {
  client: OAuthClient;
  /** The resource owner, or null when a client_credentials token acts as the client alone. */
  userSysId: string | null;
  scope: string;
  /** The refresh token's scope when it differs from the access token's (a narrowed refresh). */
  refreshScope?: string;
  /** How the grant was obtained, for the audit trail. */
  grantType: string;
  /** Tokens rotated from one grant share a family, so reuse can revoke them together. */
  family?: string;
  code?: string | null;
  withRefreshToken: boolean;
  /**
   * When the new refresh token expires, in epoch ms, when not a full lifespan from now: a rotated
   * one keeps its predecessor's, so refreshing never extends a grant (RFC 9700 §4.14.2; on
   * ServiceNow, whose refresh token is not rotated, it expires a lifespan after the login).
   */
  refreshExpiresAt?: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresIn: number;
  scope: string;
}

/** The rows one issue writes: the tokens' hashes and their audit entries. */
export interface TokenRows {
  credentials: OAuthCredentialTable[];
  audit: AuditEntry[];
  issued: IssuedTokens;
}

export function tokenRows(grant: Grant, actor: string, now: number): TokenRows {
  const family = grant.family ?? newSysId();
  const accessId = newSysId();
  const accessToken = newTokenValue(accessId);
  const credentials = [credentialRow(grant, accessId, accessToken, "access_token", grant.scope, family, actor, now)];
  let refreshToken: string | null = null;
  if (grant.withRefreshToken && grant.client.refreshTokenLifespan > 0) {
    const refreshId = newSysId();
    refreshToken = newTokenValue(refreshId);
    credentials.push(credentialRow(grant, refreshId, refreshToken, "refresh_token", grant.refreshScope ?? grant.scope, family, actor, now));
  }
  const audit = credentials.map((r) => ({ tablename: "oauth_credential", documentkey: r.sys_id, fieldname: "issued", newvalue: `${r.type} via ${grant.grantType} to ${grant.client.clientId}`, user: actor }));
  return { credentials, audit, issued: { accessToken, refreshToken, expiresIn: grant.client.accessTokenLifespan, scope: grant.scope } };
}

/**
 * One literal, not spreads of the system fields and the grant's columns: spreading two objects
 * into a row of 16 columns took 6 µs per row in V8, more than hashing the token, and left each
 * row with a shape of its own for every reader after it.
 */
function credentialRow(grant: Grant, sysId: string, value: string, type: OAuthCredentialTable["type"], scope: string, family: string, actor: string, now: number): OAuthCredentialTable {
  const stamp = glideDateTime(now);
  const lifespanEnd = now + (type === "access_token" ? grant.client.accessTokenLifespan : grant.client.refreshTokenLifespan) * 1000;
  // A rotation keeps its family's end, or the client's lifespan from now if an admin has shortened it since.
  const expiresAt = type === "refresh_token" && grant.refreshExpiresAt !== undefined ? Math.min(grant.refreshExpiresAt, lifespanEnd) : lifespanEnd;
  return {
    sys_id: sysId,
    sys_created_on: stamp,
    sys_created_by: actor,
    sys_updated_on: stamp,
    sys_updated_by: actor,
    sys_mod_count: 0,
    token_hash: tokenLookupKey(value),
    type,
    client: grant.client.sysId,
    user: grant.userSysId,
    scope,
    family,
    code: grant.code ?? null,
    expires_at: expiresAt,
    revoked_at: null,
    rotated_at: null,
  };
}

const insertCredential = precompiledInsert("oauth_credential", ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "token_hash", "type", "client", "user", "scope", "family", "code", "expires_at", "revoked_at", "rotated_at"]);

/**
 * Writes the rows of one or more issues; call inside a transaction. On SQLite a statement is a
 * function call, so prepared one-row inserts cost less than building one multi-row insert; on
 * PostgreSQL every statement is a round trip, so one multi-row insert per table wins.
 */
export async function writeTokenRows(db: Kysely<Database>, batch: TokenRows[], now: number): Promise<void> {
  if (!onSqlite(db)) {
    await db.insertInto("oauth_credential").values(batch.flatMap((b) => b.credentials)).execute();
    return writeAudit(db, batch.flatMap((b) => b.audit), now);
  }
  for (const issue of batch) {
    for (const row of issue.credentials) await insertCredential(db, row);
    for (const row of auditRows(issue.audit, now)) await insertAuditRow(db, row);
  }
}

/** `writeTokenRows` for SQLite inside `writeDirectly`: the same rows, each a synchronous prepared insert. */
export function writeTokenRowsNow(writer: SqliteWriter, batch: TokenRows[], now: number): void {
  for (const issue of batch) {
    for (const row of issue.credentials) insertCredential.now(writer, row);
    for (const row of auditRows(issue.audit, now)) insertAuditRow.now(writer, row);
  }
}

/** Stores the hashes of a new access (and refresh) token and audits the issue; call inside a transaction. */
export async function issueTokens(db: Kysely<Database>, grant: Grant, actor: string, now = Date.now()): Promise<IssuedTokens> {
  const rows = tokenRows(grant, actor, now);
  await writeTokenRows(db, [rows], now);
  return rows.issued;
}

export type StoredToken = OAuthCredentialTable;

const tokenByKey = precompiled((db: Kysely<Database>, key: string) => db.selectFrom("oauth_credential").selectAll().where("token_hash", "=", key));

export async function findTokenByValue(db: Kysely<Database>, token: string): Promise<StoredToken | undefined> {
  return (await tokenByKey(db, tokenLookupKey(token))).rows[0];
}

export function tokenIsLive(token: Pick<StoredToken, "type" | "expires_at" | "revoked_at" | "rotated_at">, now = Date.now()): boolean {
  return token.revoked_at === null && token.expires_at > now && !(token.type === "refresh_token" && token.rotated_at !== null);
}

/** Marks a refresh token used; false when another request already used it (the caller lost the race). */
const rotateRefreshToken = precompiled((db: Kysely<Database>, sysId: string, now: number, stamp: string) =>
  db.updateTable("oauth_credential").set({ rotated_at: now, sys_updated_on: stamp }).where("sys_id", "=", sysId).where("rotated_at", "is", null).where("revoked_at", "is", null),
);

export async function markRefreshTokenRotated(db: Kysely<Database>, sysId: string, now = Date.now()): Promise<boolean> {
  const result = await rotateRefreshToken(db, sysId, now, glideDateTime(now));
  return Number(result.numAffectedRows) === 1;
}

/** Revokes every live token of one grant (RFC 9700 §4.14: refresh reuse; RFC 6749 §4.1.2: code replay). */
export async function revokeFamily(db: Kysely<Database>, family: string, actor: string, reason: StoredText, now = Date.now()): Promise<number> {
  const result = await db.updateTable("oauth_credential").set({ revoked_at: now }).where("family", "=", family).where("revoked_at", "is", null).executeTakeFirst();
  const count = Number(result.numUpdatedRows);
  await writeAudit(db, [{ tablename: "oauth_credential", documentkey: family, fieldname: "revoked_at", newvalue: `${count} tokens of the grant`, user: actor, reasonText: reason }], now);
  return count;
}

/** Revokes every live token of one client or one user (deactivation, "revoke all"), with one audit row. */
export async function revokeTokensOf(db: Kysely<Database>, owner: { client: string } | { user: string }, actor: string, reason: StoredText, now = Date.now()): Promise<number> {
  const [column, key] = "client" in owner ? (["client", owner.client] as const) : (["user", owner.user] as const);
  const result = await db.updateTable("oauth_credential").set({ revoked_at: now }).where(column, "=", key).where("revoked_at", "is", null).executeTakeFirst();
  const count = Number(result.numUpdatedRows);
  if (count > 0) await writeAudit(db, [{ tablename: "oauth_credential", documentkey: key, fieldname: "revoked_at", newvalue: `${count} tokens`, user: actor, reasonText: reason }], now);
  return count;
}

export async function revokeOne(db: Kysely<Database>, sysId: string, actor: string, reason: StoredText, now = Date.now()): Promise<void> {
  await db.updateTable("oauth_credential").set({ revoked_at: now }).where("sys_id", "=", sysId).where("revoked_at", "is", null).execute();
  await writeAudit(db, [{ tablename: "oauth_credential", documentkey: sysId, fieldname: "revoked_at", newvalue: glideDateTime(now), user: actor, reasonText: reason }], now);
}

export interface CleanupOptions {
  /** Rows per statement; when absent, sized so that one statement takes about `targetMs`. */
  batchSize?: number;
  /** Awaited between batches, so requests waiting on the store run in between. */
  pause?: () => Promise<void>;
  targetMs?: number;
  /** Rows removed per second at most (PORTCULLIS_TOKEN_CLEANUP_RATE); unlimited when absent. */
  maxRowsPerSecond?: number;
  /** Asked between batches; the sweep stops when it answers false (its lease went to another node). */
  stillHeld?: () => Promise<boolean>;
}

/**
 * Rests nine times as long as the batch took (at least 5 ms), so the sweep has a tenth of the
 * time, and long enough to keep under `maxRowsPerSecond`: what it deletes is written through the
 * WAL (or the PostgreSQL server) like the token endpoint's own writes, and on SQLite checkpointed
 * later, a cost the batch's own time does not show.
 */
const yieldToRequests = (batchMs: number, rows: number, maxRowsPerSecond = Infinity) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(5, 9 * batchMs, (rows / maxRowsPerSecond) * 1000 - batchMs)));

/**
 * Deletes expired rows of one table in batches, with a pause between them. Deleting millions in
 * one statement would hold the write lock (and, on SQLite, the event loop) for seconds; on
 * SQLite a fixed batch is too long on a slow disk and needlessly short on a fast one, so unless
 * told otherwise each batch is sized from how long the last one took, to hold the lock about
 * `targetMs`.
 */
async function deleteInBatches(db: Kysely<Database>, table: "oauth_credential" | "oauth_auth_code", cutoff: number, options: CleanupOptions): Promise<number> {
  // On PostgreSQL a batch's time is mostly the round trip and the server's work, not this
  // process's: batches of 1 000, paced only by the rate.
  const sqlite = onSqlite(db);
  const targetMs = options.targetMs ?? 3;
  let size = options.batchSize ?? (sqlite ? 100 : 1000);
  let total = 0;
  for (;;) {
    const started = performance.now();
    const batch = db.selectFrom(table).select("sys_id").where("expires_at", "<", cutoff).limit(size);
    const deleted = Number((await db.deleteFrom(table).where("sys_id", "in", batch).executeTakeFirst()).numDeletedRows);
    total += deleted;
    if (deleted < size) return total;
    const tookMs = performance.now() - started;
    if (options.batchSize === undefined && sqlite) {
      // At most doubled or quartered per step: one batch that was slow for another reason must not swing it.
      const factor = Math.min(2, Math.max(0.25, targetMs / Math.max(tookMs, 0.01)));
      size = Math.round(Math.min(1000, Math.max(20, size * factor)));
    }
    await (options.pause ? options.pause() : yieldToRequests(sqlite ? tookMs : 0, deleted, options.maxRowsPerSecond));
    if (options.stillHeld && !(await options.stillHeld())) return total;
  }
}

/**
 * Removes tokens and codes that expired more than `graceMs` ago; they can no longer be used or
 * reused. Returns how many tokens went.
 */
export async function deleteExpiredTokens(db: Kysely<Database>, now = Date.now(), graceMs = 24 * 3600 * 1000, options: CleanupOptions = {}): Promise<number> {
  const cutoff = now - graceMs;
  const tokens = await deleteInBatches(db, "oauth_credential", cutoff, options);
  if (options.stillHeld && !(await options.stillHeld())) return tokens;
  await deleteInBatches(db, "oauth_auth_code", cutoff, options);
  return tokens;
}
