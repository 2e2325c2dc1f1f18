import type { Kysely } from "kysely";
import { type ConsumerGrant, defaultProfileName, type OAuthProvider, type ProviderSettings } from "../domain/oauth-provider.ts";
import { issue, ValidationError } from "../domain/validation.ts";
import type { SecretBox } from "../consumer/secret-box.ts";
import { deleteAttachmentsOf } from "./attachment-store.ts";
import { writeAudit } from "./audit-store.ts";
import type { Database } from "./schema.ts";
import { newSystemFields } from "./system-fields.ts";
import { newSysId } from "../domain/sys-id.ts";

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
      "e.sys_created_on",
      "e.sys_updated_on",
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
    oauthProfile: row.profile_name ?? defaultProfileName(row.name),
    createdOn: row.sys_created_on,
    updatedOn: row.sys_updated_on,
  };
}

export async function createProvider(db: Kysely<Database>, box: SecretBox, settings: ProviderSettings, redirectUrl: string, actor: string): Promise<OAuthProvider> {
  return db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom("oauth_entity")
      .select(["name", "client_id"])
      .where((eb) => eb.or([eb("name", "=", settings.name), eb("client_id", "=", settings.client_id)]))
      .executeTakeFirst();
    if (taken?.name === settings.name) throw new ValidationError([issue("name", "validation.nameTaken", { name: settings.name })]);
    if (taken) throw new ValidationError([issue("client_id", "validation.clientIdTaken")]);
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
        allow_http_redirect: 0,
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
    await trx
      .insertInto("oauth_entity_profile")
      .values({ sys_id: newSysId(), entity: system.sys_id, name: settings.oauth_profile ?? defaultProfileName(settings.name), grant_type: settings.default_grant, scope: settings.scope, is_default: 1 })
      .execute();
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: system.sys_id, fieldname: "name", newvalue: settings.name, user: actor, reason: "created provider" }]);
    return toProvider(await selectProviders(trx).where("e.sys_id", "=", system.sys_id).executeTakeFirstOrThrow());
  });
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

/** Only the code that sends it to the provider asks for the secret. */
export async function providerClientSecret(db: Kysely<Database>, box: SecretBox, sysId: string): Promise<string> {
  const row = await db.selectFrom("oauth_provider_settings").select("client_secret_enc").where("entity", "=", sysId).executeTakeFirstOrThrow();
  return box.open(row.client_secret_enc, secretContext(sysId));
}

export async function deleteProvider(db: Kysely<Database>, sysId: string, actor: string, reason = "deleted provider"): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Side tables cascade from the entity.
    await trx.deleteFrom("oauth_entity").where("sys_id", "=", sysId).where("type", "=", "provider").execute();
    await deleteAttachmentsOf(trx, "oauth_entity", sysId);
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: sysId, fieldname: "name", newvalue: "", user: actor, reason }]);
  });
}

/** A new client secret from the provider, in place: the connection and its token stay. */
export async function updateProviderSecret(db: Kysely<Database>, box: SecretBox, sysId: string, clientSecret: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("oauth_provider_settings").set({ client_secret_enc: box.seal(clientSecret, secretContext(sysId)) }).where("entity", "=", sysId).execute();
    await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: sysId, fieldname: "client_secret", newvalue: "(changed)", user: actor }]);
  });
}
