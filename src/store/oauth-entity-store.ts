import { randomBytes } from "node:crypto";
import type { Kysely, SelectQueryBuilder } from "kysely";
import { fieldOf } from "../domain/dictionary.ts";
import { checkClientCreate, checkClientUpdate, type ClientInput, type ClientInputCheck, type ClientSettings, type GrantType, type OAuthClient, settingsOf } from "../domain/oauth-entity.ts";
import { formatRedirectUrlList, parseRedirectUrlList } from "../domain/redirect-uri.ts";
import { newSecret, sha256 } from "../domain/secrets.ts";
import { assertVersion, type ExpectedVersions } from "../domain/record-version.ts";
import { glideDateTime } from "../domain/sys-id.ts";
import { systemTables } from "../domain/system-tables.ts";
import { NotFoundError, issue, ValidationError } from "../domain/validation.ts";
import { deleteAttachmentsOf } from "./attachment-store.ts";
import { type AuditEntry, auditValue, creationEntries, writeAudit } from "./audit-store.ts";
import type { Database, OAuthEntityTable } from "./schema.ts";
import { onSqlite } from "./database.ts";
import { bit, newSystemFields } from "./system-fields.ts";
import { revokeTokensOf } from "./token-store.ts";
import { findUserByNameOrId } from "./user-store.ts";
import { precompiled } from "./precompiled-query.ts";
import { checkedAgainstRace } from "./unique-violation.ts";

type Row = OAuthEntityTable;
/** The registry's dictionary entry: its audit writes true/false fields as the Table API does. */
const registry = systemTables.get("oauth_entity")!;

export function toClient(row: Row): OAuthClient {
  return {
    sysId: row.sys_id,
    name: row.name,
    clientId: row.client_id,
    clientSecretHash: row.client_secret_hash,
    redirectUrls: parseRedirectUrlList(row.redirect_url),
    logoUrl: row.logo_url,
    publicClient: row.public_client === 1,
    pkceRequired: row.pkce_required === 1,
    allowHttpRedirect: row.allow_http_redirect === 1,
    accessTokenLifespan: row.access_token_lifespan,
    refreshTokenLifespan: row.refresh_token_lifespan,
    grantTypes: row.grant_types.split(",").filter(Boolean) as GrantType[],
    clientCredentialsUser: row.client_credentials_user,
    active: row.active === 1,
    accessibleFrom: row.accessible_from === "this" ? "this" : "all",
    sysScope: row.sys_scope,
    comments: row.comments,
    createdOn: row.sys_created_on,
    createdBy: row.sys_created_by,
    updatedOn: row.sys_updated_on,
    updatedBy: row.sys_updated_by,
    modCount: row.sys_mod_count,
  };
}

/** The columns the admin's settings map to; client_credentials_user is already resolved to a sys_id. */
function columnsOf(s: ClientSettings) {
  return {
    name: s.name,
    redirect_url: formatRedirectUrlList(s.redirect_url),
    logo_url: s.logo_url,
    public_client: bit(s.public_client),
    pkce_required: bit(s.pkce_required),
    allow_http_redirect: bit(s.allow_http_redirect),
    access_token_lifespan: s.access_token_lifespan,
    refresh_token_lifespan: s.refresh_token_lifespan,
    grant_types: s.grant_types.join(","),
    client_credentials_user: s.client_credentials_user,
    active: bit(s.active),
    accessible_from: s.accessible_from,
    sys_scope: s.sys_scope,
    comments: s.comments,
  };
}

/**
 * What History records of a creation, in the endpoint form's order: every setting, as an update
 * records each one it changes, and the generated client ID. Never the secret's hash; nor the
 * scope, which no door sets.
 */
const createdFields = ["name", "client_id", "redirect_url", "logo_url", "active", "public_client", "pkce_required", "allow_http_redirect", "grant_types", "access_token_lifespan", "refresh_token_lifespan", "client_credentials_user", "accessible_from", "comments"] as const satisfies readonly (keyof Row)[];

/**
 * The checks only the database can make, run once every field parsed (and only then: input that
 * did not parse is not looked up), with the input's own problems: one answer names them all.
 * The client credentials user, given by name or sys_id, becomes its sys_id.
 */
async function settingsToStore(db: Kysely<Database>, checked: ClientInputCheck, current?: OAuthClient): Promise<ClientSettings> {
  // The fields that parsed, so an unknown user or a name taken is told with a wrong lifespan, not in a second round.
  const { settings, fields } = checked;
  const issues = [...checked.issues];
  const user = fields.client_credentials_user ? await findUserByNameOrId(db, fields.client_credentials_user) : undefined;
  if (fields.client_credentials_user && !user) issues.push(issue("client_credentials_user", "validation.noUser", { name: fields.client_credentials_user }));
  if (fields.name !== undefined && fields.name !== current?.name && (await db.selectFrom("oauth_entity").select("sys_id").where("name", "=", fields.name).executeTakeFirst())) {
    issues.push(issue("name", "validation.nameTaken", { name: fields.name }));
  }
  if (!settings || issues.length > 0) throw new ValidationError(issues);
  return { ...settings, client_credentials_user: user?.sysId ?? null };
}

export interface CreatedClient {
  client: OAuthClient;
  /** Shown once; only its hash is stored. Null for public clients. */
  clientSecret: string | null;
}

export async function createClient(db: Kysely<Database>, input: ClientInput, actor: string): Promise<CreatedClient> {
  return checkedAgainstRace(() => db.transaction().execute(async (trx) => {
    const resolved = await settingsToStore(trx, checkClientCreate(input));
    const clientSecret = resolved.public_client ? null : newSecret();
    const row: Row = {
      ...newSystemFields(actor),
      ...columnsOf(resolved),
      type: "client",
      // 32 lowercase hex characters, as the platform generates them.
      client_id: randomBytes(16).toString("hex"),
      client_secret_hash: clientSecret ? sha256(clientSecret) : null,
    };
    await trx.insertInto("oauth_entity").values(row).execute();
    await writeAudit(trx, creationEntries("oauth_entity", row.sys_id, createdFields.map((field) => [field, auditValue(fieldOf(registry, field), row[field])]), actor));
    return { client: toClient(row), clientSecret };
  }));
}

const clientByClientId = precompiled((db: Kysely<Database>, clientId: string) => db.selectFrom("oauth_entity").selectAll().where("client_id", "=", clientId).where("type", "=", "client"));
const clientBySysId = precompiled((db: Kysely<Database>, sysId: string) => db.selectFrom("oauth_entity").selectAll().where("sys_id", "=", sysId).where("type", "=", "client"));

export async function findClientByClientId(db: Kysely<Database>, clientId: string): Promise<OAuthClient | undefined> {
  const row = (await clientByClientId(db, clientId)).rows[0];
  return row && toClient(row);
}

export async function findClientBySysId(db: Kysely<Database>, sysId: string): Promise<OAuthClient | undefined> {
  const row = (await clientBySysId(db, sysId)).rows[0];
  return row && toClient(row);
}

/** A client named by its client ID, its sys_id or its exact name: what an admin types. */
export async function findClient(db: Kysely<Database>, key: string, options: { lock?: boolean } = {}): Promise<OAuthClient | undefined> {
  let query = db
    .selectFrom("oauth_entity")
    .selectAll()
    .where("type", "=", "client")
    .where((eb) => eb.or([eb("client_id", "=", key), eb("sys_id", "=", key), eb("name", "=", key)]));
  if (options.lock && !onSqlite(db)) query = query.forNoKeyUpdate();
  const row = await query.executeTakeFirst();
  return row && toClient(row);
}

export async function listClients(db: Kysely<Database>): Promise<OAuthClient[]> {
  return listClientsWhere(db, (query) => query.orderBy("name"));
}

type ClientQuery = SelectQueryBuilder<Database, "oauth_entity", Row>;

/** Clients narrowed and ordered by the caller (the registry list's filter and sort). */
export async function listClientsWhere(db: Kysely<Database>, refine: (query: ClientQuery) => ClientQuery): Promise<OAuthClient[]> {
  const rows = await refine(db.selectFrom("oauth_entity").selectAll().where("type", "=", "client")).execute();
  return rows.map(toClient);
}

/**
 * The client by any of its keys; with `lock`, inside a transaction on PostgreSQL, its row stays
 * locked until the transaction ends, so edits read the version they write over (SQLite's
 * transactions take the write lock as they begin). FOR NO KEY UPDATE, the lock an UPDATE takes:
 * a token or code inserted for the client (a foreign key to the row) does not wait for the edit,
 * nor deadlock with one that revokes that client's tokens.
 */
async function requireClient(db: Kysely<Database>, key: string, options: { lock?: boolean } = {}): Promise<OAuthClient> {
  const client = await findClient(db, key, options);
  if (!client) throw new NotFoundError(`no OAuth client "${key}"`);
  return client;
}

/**
 * Applies an admin's changes, as a door received them; a deactivated client loses its live tokens
 * at once. With `expected`, only to a record still at one of those versions (StaleRecordError
 * otherwise): the changes are judged against the record as it is.
 */
export async function updateClient(db: Kysely<Database>, key: string, changes: ClientInput, actor: string, expected?: ExpectedVersions): Promise<OAuthClient> {
  return checkedAgainstRace(() => db.transaction().execute(async (trx) => {
    const current = await requireClient(trx, key, { lock: true });
    assertVersion(current, expected);
    const merged = await settingsToStore(trx, checkClientUpdate(changes, current), current);
    const before = columnsOf(settingsOf(current));
    const after = columnsOf(merged);
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => before[k] !== after[k]);
    if (changed.length === 0) return current;
    const now = Date.now();
    await trx
      .updateTable("oauth_entity")
      .set({ ...after, sys_updated_on: glideDateTime(now), sys_updated_by: actor, sys_mod_count: current.modCount + 1 })
      .where("sys_id", "=", current.sysId)
      .execute();
    const entries: AuditEntry[] = changed.map((k) => ({
      tablename: "oauth_entity",
      documentkey: current.sysId,
      fieldname: k,
      oldvalue: auditValue(fieldOf(registry, k), before[k]),
      newvalue: auditValue(fieldOf(registry, k), after[k]),
      user: actor,
    }));
    await writeAudit(trx, entries, now);
    if (current.active && !merged.active) await revokeTokensOf(trx, { client: current.sysId }, actor, { key: "auditReason.clientDeactivated" }, now);
    return (await findClientBySysId(trx, current.sysId))!;
  }));
}

export async function regenerateClientSecret(db: Kysely<Database>, key: string, actor: string, expected?: ExpectedVersions): Promise<CreatedClient> {
  return db.transaction().execute(async (trx) => {
    const current = await requireClient(trx, key, { lock: true });
    assertVersion(current, expected);
    if (current.publicClient) throw new ValidationError([issue("client_secret", "validation.publicNoSecret")]);
    const clientSecret = newSecret();
    const now = Date.now();
    await trx
      .updateTable("oauth_entity")
      .set({ client_secret_hash: sha256(clientSecret), sys_updated_on: glideDateTime(now), sys_updated_by: actor, sys_mod_count: current.modCount + 1 })
      .where("sys_id", "=", current.sysId)
      .execute();
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: current.sysId, fieldname: "client_secret", newvalue: "(regenerated)", user: actor }], now);
    return { client: (await findClientBySysId(trx, current.sysId))!, clientSecret };
  });
}

export async function deleteClient(db: Kysely<Database>, key: string, actor: string, expected?: ExpectedVersions): Promise<OAuthClient> {
  return db.transaction().execute(async (trx) => {
    const current = await requireClient(trx, key, { lock: true });
    assertVersion(current, expected);
    await trx.deleteFrom("oauth_credential").where("client", "=", current.sysId).execute();
    await trx.deleteFrom("oauth_auth_code").where("client", "=", current.sysId).execute();
    await trx.deleteFrom("oauth_entity").where("sys_id", "=", current.sysId).execute();
    await deleteAttachmentsOf(trx, "oauth_entity", current.sysId);
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: current.sysId, fieldname: "name", oldvalue: current.name, user: actor, reason: "deleted" }]);
    return current;
  });
}

