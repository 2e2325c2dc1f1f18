import type { StoredText } from "../i18n/stored-text.ts";
import type { Kysely } from "kysely";
import { applyProviderChanges, changesWhereTokensGo, type ConsumerGrant, defaultProfileName, editableFieldsOf, type OAuthProvider, type ProviderChanges, type ProviderSettings } from "../domain/oauth-provider.ts";
import { assertVersion, type ExpectedVersions } from "../domain/record-version.ts";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import { issue, NotFoundError, ValidationError } from "../domain/validation.ts";
import type { SecretBox } from "../consumer/secret-box.ts";
import { deleteAttachmentsOf } from "./attachment-store.ts";
import { type AuditEntry, creationEntries, writeAudit } from "./audit-store.ts";
import { onSqlite } from "./database.ts";
import type { Database } from "./schema.ts";
import { newSystemFields } from "./system-fields.ts";
import { checkedAgainstRace } from "./unique-violation.ts";

/** The context a provider's client secret is sealed under: its own row. */
export const secretContext = (sysId: string) => `provider-secret:${sysId}`;

function selectProviders(db: Kysely<Database>) {
  return db
    .selectFrom("oauth_entity as e")
    .innerJoin("oauth_provider_settings as s", "s.entity", "e.sys_id")
    .leftJoin("oauth_entity_profile as p", (join) => join.onRef("p.entity", "=", "e.sys_id").on("p.is_default", "=", 1))
    .where("e.type", "=", "provider")
    .select([
      "e.sys_id",
      "e.name",
      "e.client_id",
      "e.redirect_url",
      "e.allow_http_redirect",
      "e.sys_created_on",
      "e.sys_updated_on",
      "e.sys_updated_by",
      "e.sys_mod_count",
      "s.authorization_url",
      "s.token_url",
      "s.revocation_url",
      "s.default_grant",
      "s.credential_style",
      "s.scope",
      "p.name as profile_name",
      "p.grant_type as profile_grant",
      "p.scope as profile_scope",
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof selectProviders>["executeTakeFirstOrThrow"]>>;

function toProvider(row: Row): OAuthProvider {
  return {
    sysId: row.sys_id,
    name: row.name,
    clientId: row.client_id,
    authorizationUrl: row.authorization_url,
    tokenUrl: row.token_url,
    revocationUrl: row.revocation_url,
    redirectUrl: row.redirect_url,
    // The default profile holds the grant and scope; the settings row keeps the values it was made with.
    defaultGrant: (row.profile_grant ?? row.default_grant) as ConsumerGrant,
    credentialStyle: row.credential_style,
    scope: row.profile_scope ?? row.scope,
    // A provider's entity row has no redirect URIs to allow: its column holds the provider's own http opt-in.
    allowHttp: row.allow_http_redirect === 1,
    oauthProfile: row.profile_name ?? defaultProfileName(row.name),
    createdOn: row.sys_created_on,
    updatedOn: row.sys_updated_on,
    updatedBy: row.sys_updated_by,
    modCount: row.sys_mod_count,
  };
}

/**
 * What History records of a creation, in the provider form's order, each under the name and in
 * the form an edit records it (updateProvider): every setting but the client secret, which is
 * kept only sealed and never written to the audit in any form. The OAuth entity profile's name
 * follows, as the record page lists it: an edit never renames it, so only its creation records it.
 */
const createdFields = ["name", "client_id", "token_url", "authorization_url", "revocation_url", "allow_http", "default_grant", "credential_style", "scope"] as const satisfies readonly (keyof ProviderSettings)[];

export async function createProvider(db: Kysely<Database>, box: SecretBox, settings: ProviderSettings, redirectUrl: string, actor: string): Promise<OAuthProvider> {
  return checkedAgainstRace(() => db.transaction().execute(async (trx) => {
    await assertProviderNamesFree(trx, settings);
    const system = newSystemFields(actor);
    await trx
      .insertInto("oauth_entity")
      .values({
        ...system,
        name: settings.name,
        type: "provider",
        client_id: settings.client_id,
        client_secret_hash: null,
        redirect_url: redirectUrl,
        logo_url: "",
        public_client: 0,
        pkce_required: 1,
        allow_http_redirect: settings.allow_http ? 1 : 0,
        access_token_lifespan: 0,
        refresh_token_lifespan: 0,
        grant_types: settings.default_grant,
        client_credentials_user: null,
        active: 1,
        accessible_from: "all",
        sys_scope: "global",
        comments: "",
      })
      .execute();
    await trx
      .insertInto("oauth_provider_settings")
      .values({
        entity: system.sys_id,
        client_secret_enc: box.seal(settings.client_secret, secretContext(system.sys_id)),
        authorization_url: settings.authorization_url,
        token_url: settings.token_url,
        revocation_url: settings.revocation_url,
        default_grant: settings.default_grant,
        credential_style: settings.credential_style,
        scope: settings.scope,
      })
      .execute();
    const profileName = settings.oauth_profile ?? defaultProfileName(settings.name);
    await trx
      .insertInto("oauth_entity_profile")
      .values({ sys_id: newSysId(), entity: system.sys_id, name: profileName, grant_type: settings.default_grant, scope: settings.scope, is_default: 1 })
      .execute();
    const fields: [string, string][] = [...createdFields.map((field): [string, string] => [field, String(settings[field])]), ["oauth_profile", profileName]];
    const created = creationEntries("oauth_entity", system.sys_id, fields, actor);
    await writeAudit(trx, created.map((entry) => ({ ...entry, reasonText: { key: "auditReason.createdProvider" } })));
    return toProvider(await selectProviders(trx).where("e.sys_id", "=", system.sys_id).executeTakeFirstOrThrow());
  }));
}

/**
 * Read in an edit's transaction: on PostgreSQL its row stays locked until the edit commits
 * (SQLite's transactions begin with the write lock). FOR NO KEY UPDATE, as an UPDATE itself
 * takes: edits wait for each other, but inserts of rows that reference it (tokens, states) do not.
 */
async function lockedProvider(db: Kysely<Database>, sysId: string): Promise<OAuthProvider> {
  let query = selectProviders(db).where("e.sys_id", "=", sysId);
  if (!onSqlite(db)) query = query.forNoKeyUpdate("e");
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError(`no provider "${sysId}"`);
  return toProvider(row);
}

/** A provider named by its sys_id or exact name. */
export async function findProvider(db: Kysely<Database>, key: string): Promise<OAuthProvider | undefined> {
  const row = await selectProviders(db)
    .where((eb) => eb.or([eb("e.sys_id", "=", key), eb("e.name", "=", key)]))
    .executeTakeFirst();
  return row && toProvider(row);
}

export async function listProviders(db: Kysely<Database>): Promise<OAuthProvider[]> {
  return (await selectProviders(db).orderBy("e.name").execute()).map(toProvider);
}

/**
 * Whether `provider` (a record read earlier) still sends tokens where the stored record does:
 * same client ID, and no origin the record names now that it did not then. `db` may be a
 * transaction; on PostgreSQL the record's row is locked until it ends, so an edit cannot commit
 * between this check and a write that relies on it.
 */
export async function providerStillSendsTo(db: Kysely<Database>, provider: OAuthProvider): Promise<{ clientSecretEnc: string } | undefined> {
  let query = db
    .selectFrom("oauth_entity as e")
    .innerJoin("oauth_provider_settings as s", "s.entity", "e.sys_id")
    .select(["e.client_id", "s.token_url", "s.revocation_url", "s.client_secret_enc"])
    .where("e.sys_id", "=", provider.sysId)
    .where("e.type", "=", "provider");
  if (!onSqlite(db)) query = query.forNoKeyUpdate("e");
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const then = editableFieldsOf(provider);
  const now = { ...then, client_id: row.client_id, token_url: row.token_url, revocation_url: row.revocation_url };
  return changesWhereTokensGo(then, now) ? undefined : { clientSecretEnc: row.client_secret_enc };
}

/** Only the code that sends it to the provider asks for the secret: none when the record has since changed where tokens go. */
export async function providerClientSecret(db: Kysely<Database>, box: SecretBox, provider: OAuthProvider): Promise<string | undefined> {
  const current = await providerStillSendsTo(db, provider);
  return current && box.open(current.clientSecretEnc, secretContext(provider.sysId));
}

export async function deleteProvider(db: Kysely<Database>, sysId: string, actor: string, reason: StoredText = { key: "auditReason.deletedProvider" }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Side tables cascade from the entity. The audit row keeps the name: once the record is
    // gone it is the only place that says which connection was deleted.
    const deleted = await trx.deleteFrom("oauth_entity").where("sys_id", "=", sysId).where("type", "=", "provider").returning("name").executeTakeFirst();
    if (!deleted) return;
    await deleteAttachmentsOf(trx, "oauth_entity", sysId);
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: sysId, fieldname: "name", oldvalue: deleted.name, newvalue: "", user: actor, reasonText: reason }]);
  });
}

/** Refuses a name or client ID that an Application Registry record (other than `exceptSysId`) holds. */
export async function assertProviderNamesFree(db: Kysely<Database>, wanted: { name: string; client_id: string }, exceptSysId?: string): Promise<void> {
  let query = db
    .selectFrom("oauth_entity")
    .select(["name", "client_id"])
    .where((eb) => eb.or([eb("name", "=", wanted.name), eb("client_id", "=", wanted.client_id)]));
  if (exceptSysId) query = query.where("sys_id", "!=", exceptSysId);
  const taken = await query.executeTakeFirst();
  if (taken?.name === wanted.name) throw new ValidationError([issue("name", "validation.nameTaken", { name: wanted.name })]);
  if (taken) throw new ValidationError([issue("client_id", "validation.clientIdTaken")]);
}

export interface ProviderUpdate {
  provider: OAuthProvider;
  /** The fields whose value changed (`client_secret` when a new one was given). */
  changed: string[];
  /** The edit named another client or server, so the token held (and any authorization under way) went. */
  tokenDiscarded: boolean;
}

/**
 * Edits a provider in one transaction: its record, settings and default profile, one audit row
 * per changed field (the secret's without values). When the edit changes where tokens go
 * (`changesWhereTokensGo`), the token held and the pending authorization requests are deleted in
 * the same transaction (the requests also when the authorization URL changes); otherwise a new
 * secret or token URL lifts the token's unhealthy mark. `revocation` is what the caller did about
 * the token at the old provider, for the audit.
 */
export async function updateProvider(db: Kysely<Database>, box: SecretBox, sysId: string, changes: ProviderChanges, actor: string, options: { revocation?: StoredText; expected?: ExpectedVersions | undefined } = {}): Promise<ProviderUpdate> {
  const revocation: StoredText = options.revocation ?? { key: "auditReason.tokenMoved" };
  return checkedAgainstRace(() => db.transaction().execute(async (trx) => {
    const current = await lockedProvider(trx, sysId);
    assertVersion(current, options.expected);
    const before = editableFieldsOf(current);
    const after = applyProviderChanges(current, changes);
    const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => before[k] !== after[k]);
    if (changed.length === 0 && changes.client_secret === undefined) return { provider: current, changed: [], tokenDiscarded: false };
    if (after.name !== before.name || after.client_id !== before.client_id) await assertProviderNamesFree(trx, after, sysId);
    const now = Date.now();
    await trx
      .updateTable("oauth_entity")
      .set({ name: after.name, client_id: after.client_id, grant_types: after.default_grant, allow_http_redirect: after.allow_http ? 1 : 0, sys_updated_on: glideDateTime(now), sys_updated_by: actor, sys_mod_count: current.modCount + 1 })
      .where("sys_id", "=", sysId)
      .execute();
    await trx
      .updateTable("oauth_provider_settings")
      .set({
        authorization_url: after.authorization_url,
        token_url: after.token_url,
        revocation_url: after.revocation_url,
        default_grant: after.default_grant,
        credential_style: after.credential_style,
        scope: after.scope,
        ...(changes.client_secret !== undefined ? { client_secret_enc: box.seal(changes.client_secret, secretContext(sysId)) } : {}),
      })
      .where("entity", "=", sysId)
      .execute();
    await trx.updateTable("oauth_entity_profile").set({ grant_type: after.default_grant, scope: after.scope }).where("entity", "=", sysId).where("is_default", "=", 1).execute();
    const entries: AuditEntry[] = changed.map((k) => ({ tablename: "oauth_entity", documentkey: sysId, fieldname: k, oldvalue: String(before[k]), newvalue: String(after[k]), user: actor }));
    if (changes.client_secret !== undefined) entries.push({ tablename: "oauth_entity", documentkey: sysId, fieldname: "client_secret", newvalue: "(changed)", user: actor });
    let tokenDiscarded = false;
    const moves = changesWhereTokensGo(before, after);
    // An authorization under way was sent to the old authorization server, with its issuer expected back.
    if (moves || after.authorization_url !== before.authorization_url) await trx.deleteFrom("oauth_consumer_state").where("provider", "=", sysId).execute();
    if (moves) {
      const dropped = await trx.deleteFrom("oauth_obtained_token").where("provider", "=", sysId).executeTakeFirst();
      tokenDiscarded = Number(dropped.numDeletedRows) > 0;
      if (tokenDiscarded) entries.push({ tablename: "oauth_entity", documentkey: sysId, fieldname: "token", newvalue: "(discarded)", reasonText: revocation, user: actor });
    } else if (changes.client_secret !== undefined || after.client_id !== before.client_id || after.token_url !== before.token_url) {
      // A refusal answered the client ID, secret or token URL the record held then, not the ones
      // it holds now: the admin's fix is not shown "unhealthy" until the next token request.
      // The refresh lease stays its holder's.
      await trx.updateTable("oauth_obtained_token").set({ status: "healthy", status_reason: "", failed_at: null }).where("provider", "=", sysId).where("status", "=", "unhealthy").execute();
    }
    await writeAudit(trx, entries, now);
    const provider = toProvider((await selectProviders(trx).where("e.sys_id", "=", sysId).executeTakeFirst())!);
    return { provider, changed: [...changed, ...(changes.client_secret !== undefined ? ["client_secret"] : [])], tokenDiscarded };
  }));
}
