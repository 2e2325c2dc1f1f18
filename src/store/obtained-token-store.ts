import { type Kysely, sql } from "kysely";
import type { SecretBox } from "../consumer/secret-box.ts";
import type { OAuthProvider } from "../domain/oauth-provider.ts";
import { clippedText, decodeStoredText, encodeStoredText, type StoredText } from "../i18n/stored-text.ts";
import { writeAudit } from "./audit-store.ts";
import { findProvider, providerStillSendsTo } from "./provider-store.ts";
import type { Database } from "./schema.ts";

/** Tokens this instance obtained from a provider, and the lease that lets one node refresh them. */

/**
 * An expiry as stored, or none when no Date can hold it: a row written before lifetimes were
 * bounded (expires_in 1e13) otherwise broke every listing of connections with "Invalid time value".
 */
const readableExpiry = (ms: number | null): number | null => (ms !== null && Number.isFinite(Number(ms)) && Math.abs(Number(ms)) <= 8.64e15 ? ms : null);

export interface ObtainedToken {
  provider: string;
  accessToken: string | null;
  refreshToken: string | null;
  scope: string;
  grantType: string;
  expiresAt: number | null;
  obtainedAt: number;
  generation: number;
  status: "healthy" | "unhealthy";
  /** Why the connection is unhealthy; null while it is healthy. */
  statusReason: StoredText | null;
  /** When the last refresh or token request failed; null while healthy (and for a row marked before the time was kept). */
  failedAt: number | null;
}

export interface TokenResponseFields {
  accessToken: string;
  refreshToken?: string | undefined;
  scope?: string | undefined;
  expiresIn?: number | undefined;
}

const accessContext = (provider: string) => `obtained-access:${provider}`;
const refreshContext = (provider: string) => `obtained-refresh:${provider}`;

export async function readObtainedToken(db: Kysely<Database>, box: SecretBox, provider: string): Promise<ObtainedToken | undefined> {
  const row = await db.selectFrom("oauth_obtained_token").selectAll().where("provider", "=", provider).executeTakeFirst();
  if (!row) return undefined;
  return {
    provider,
    accessToken: row.access_token_enc ? box.open(row.access_token_enc, accessContext(provider)) : null,
    refreshToken: row.refresh_token_enc ? box.open(row.refresh_token_enc, refreshContext(provider)) : null,
    scope: row.scope,
    grantType: row.grant_type,
    expiresAt: readableExpiry(row.expires_at),
    obtainedAt: row.obtained_at,
    generation: row.generation,
    status: row.status,
    statusReason: reasonOf(row.status_reason),
    failedAt: row.failed_at === null ? null : Number(row.failed_at),
  };
}

/**
 * Stores a token response: a new generation, healthy, lease released. A response without a
 * refresh token keeps the one held (RFC 6749 §6: the server may keep the old one valid).
 * `issuedFor` is the record the request was made with: when the record has since been edited
 * to send tokens elsewhere (or deleted), nothing is stored and the answer is false, so a
 * request in flight during such an edit cannot bring the old server's token back.
 */
export async function saveObtainedToken(db: Kysely<Database>, box: SecretBox, issuedFor: OAuthProvider, grantType: string, fields: TokenResponseFields, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await providerStillSendsTo(trx, issuedFor))) return false;
    await upsertObtainedToken(trx, box, issuedFor.sysId, grantType, fields, now);
    return true;
  });
}

async function upsertObtainedToken(db: Kysely<Database>, box: SecretBox, provider: string, grantType: string, fields: TokenResponseFields, now: number): Promise<void> {
  const values = {
    access_token_enc: box.seal(fields.accessToken, accessContext(provider)),
    scope: fields.scope ?? "",
    expires_at: fields.expiresIn !== undefined ? now + fields.expiresIn * 1000 : null,
    obtained_at: now,
    status: "healthy" as const,
    status_reason: "",
    failed_at: null,
    refresh_holder: null,
    refresh_lease_until: null,
  };
  const refresh = fields.refreshToken !== undefined ? { refresh_token_enc: box.seal(fields.refreshToken, refreshContext(provider)) } : {};
  await db
    .insertInto("oauth_obtained_token")
    .values({ provider, ...values, grant_type: grantType, refresh_token_enc: refresh.refresh_token_enc ?? null, generation: 1 })
    .onConflict((oc) =>
      oc.column("provider").doUpdateSet({
        ...values,
        // A refresh continues the grant the token came from: the record keeps saying which (the page read "refresh_token" as Client Credentials).
        ...(grantType !== "refresh_token" ? { grant_type: grantType } : {}),
        // A new grant (not a refresh) replaces the refresh token, even with none.
        ...(fields.refreshToken !== undefined || grantType !== "refresh_token" ? { refresh_token_enc: refresh.refresh_token_enc ?? null } : {}),
        generation: sql<number>`oauth_obtained_token.generation + 1`,
      }),
    )
    .execute();
}

/** One conditional write decides which node refreshes, on SQLite and PostgreSQL alike. */
export async function tryTakeRefreshLease(db: Kysely<Database>, provider: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable("oauth_obtained_token")
    .set({ refresh_holder: holder, refresh_lease_until: now + ttlMs })
    .where("provider", "=", provider)
    .where((eb) => eb.or([eb("refresh_lease_until", "is", null), eb("refresh_lease_until", "<=", now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function leaseState(db: Kysely<Database>, provider: string): Promise<{ generation: number; leaseUntil: number | null } | undefined> {
  const row = await db.selectFrom("oauth_obtained_token").select(["generation", "refresh_lease_until"]).where("provider", "=", provider).executeTakeFirst();
  return row && { generation: row.generation, leaseUntil: row.refresh_lease_until };
}

/** The reason as stored: a catalog text, or (written before reasons were) English kept as it was. */
const reasonOf = (stored: string): StoredText | null => (stored === "" ? null : decodeStoredText(stored));

/** What a token request was sent with: the token generation held then and the client and URL it used. */
export interface RequestBasis {
  generation: number;
  clientId: string;
  tokenUrl: string;
  /** The sealed secret as stored: each new secret is sealed afresh, so equal means not replaced. */
  clientSecretEnc: string;
}

/**
 * A token request or refresh that failed, marked on the token held only while it is still the
 * generation read before the request (a token another caller obtained meanwhile is not this
 * failure's to judge) and while the record still holds the client ID, secret and token URL the
 * request was sent with: an edit that replaced them lifted the mark, and a refusal of the old
 * ones, answered after that edit, must not put it back. One conditional UPDATE, so no edit
 * commits in between.
 * A refresh lease someone holds is theirs to release.
 */
export async function markRequestFailed(db: Kysely<Database>, provider: string, basis: RequestBasis, reason: StoredText, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable("oauth_obtained_token")
    .set({ status: "unhealthy", status_reason: encodeStoredText(clippedText(reason)), failed_at: now })
    .where("provider", "=", provider)
    .where("generation", "=", basis.generation)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("oauth_entity as e")
          .innerJoin("oauth_provider_settings as s", "s.entity", "e.sys_id")
          .select("e.sys_id")
          .whereRef("e.sys_id", "=", "oauth_obtained_token.provider")
          .where("e.client_id", "=", basis.clientId)
          .where("s.token_url", "=", basis.tokenUrl)
          .where("s.client_secret_enc", "=", basis.clientSecretEnc),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The health of the token held from one provider, without the token. */
export interface ConnectionStatus {
  provider: string;
  status: string;
  statusReason: StoredText | null;
  /** When the last refresh or token request failed; null while healthy, and for a row marked before the time was kept. */
  failedAt: number | null;
  expiresAt: number | null;
  obtainedAt: number;
  grantType: string;
  /** A refresh token is held, or the grant is client_credentials: the next call renews an expired token. */
  renewable: boolean;
}

/** What the admin sees: "healthy" with an expired token nothing can renew would be a lie. */
export type ConnectionHealth = "healthy" | "unhealthy" | "expired" | "no_token";

export function connectionHealth(status: ConnectionStatus | undefined, now = Date.now()): ConnectionHealth {
  if (!status) return "no_token";
  if (status.status === "unhealthy") return "unhealthy";
  return status.expiresAt !== null && status.expiresAt <= now && !status.renewable ? "expired" : "healthy";
}

function statusQuery(db: Kysely<Database>) {
  return db
    .selectFrom("oauth_obtained_token")
    .select(["provider", "status", "status_reason", "failed_at", "expires_at", "obtained_at", "grant_type"])
    .select((eb) => eb.case().when("refresh_token_enc", "is not", null).then(1).else(0).end().as("has_refresh"));
}

function toStatus(r: Awaited<ReturnType<ReturnType<typeof statusQuery>["executeTakeFirstOrThrow"]>>): ConnectionStatus {
  const renewable = Number(r.has_refresh) === 1 || r.grant_type === "client_credentials";
  return { provider: r.provider, status: r.status, statusReason: reasonOf(r.status_reason), failedAt: r.failed_at === null ? null : Number(r.failed_at), expiresAt: readableExpiry(r.expires_at), obtainedAt: r.obtained_at, grantType: r.grant_type, renewable };
}

export async function connectionStatuses(db: Kysely<Database>): Promise<ConnectionStatus[]> {
  return (await statusQuery(db).execute()).map(toStatus);
}

/** One provider's, or undefined before it has a token. */
export async function connectionStatus(db: Kysely<Database>, provider: string): Promise<ConnectionStatus | undefined> {
  const row = await statusQuery(db).where("provider", "=", provider).executeTakeFirst();
  return row && toStatus(row);
}

// The authorization-code flow's pending requests.

export async function saveConsumerState(db: Kysely<Database>, row: Database["oauth_consumer_state"]): Promise<void> {
  await db.insertInto("oauth_consumer_state").values(row).execute();
}

/**
 * Marks a state used and returns it, once: only when it exists, is unused, unexpired and
 * belongs to this login session. A replayed or stolen state gets nothing.
 */
export async function consumeConsumerState(db: Kysely<Database>, stateHash: string, session: string, now = Date.now()): Promise<{ provider: OAuthProvider | undefined; codeVerifierEnc: string; expectedIssuer: string | null } | undefined> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable("oauth_consumer_state")
      .set({ consumed_at: now })
      .where("state_hash", "=", stateHash)
      .where("session", "=", session)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    const row = await trx.selectFrom("oauth_consumer_state").select(["provider", "code_verifier_enc", "expected_issuer"]).where("state_hash", "=", stateHash).executeTakeFirstOrThrow();
    // Read in the same transaction: an edit that sends tokens elsewhere deletes pending states, so this is the record the authorization was made for.
    return { provider: await findProvider(trx, row.provider), codeVerifierEnc: row.code_verifier_enc, expectedIssuer: row.expected_issuer };
  });
}

/**
 * Deletes the token held if it is still the generation given (one revoked at the provider by an
 * edit that was then refused), with an audit row saying why; false when another has replaced it.
 */
export async function discardObtainedToken(db: Kysely<Database>, provider: string, generation: number, actor: string, reason: StoredText): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const dropped = await trx.deleteFrom("oauth_obtained_token").where("provider", "=", provider).where("generation", "=", generation).executeTakeFirst();
    if (Number(dropped.numDeletedRows) === 0) return false;
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: provider, fieldname: "token", newvalue: "(discarded)", reasonText: reason, user: actor }]);
    return true;
  });
}
