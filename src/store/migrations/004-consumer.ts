import type { Kysely } from "kysely";

/**
 * The instance as an OAuth consumer ("Connect to a third-party OAuth Provider").
 *
 * A provider is an `oauth_entity` row of type `provider` (name, the peer's client_id, the
 * redirect URL and default grant in the columns a client uses too); what only a provider has
 * lives in a side table, so client rows and the code that reads them stay as they were.
 * Obtained tokens get their own table: `oauth_credential` holds tokens this instance *issued*,
 * as hashes it can check but never send; an obtained token must be sent, so it is kept
 * encrypted, with its expiry, its peer and the refresh lease.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oauth_provider_settings")
    .addColumn("entity", "varchar(32)", (c) => c.primaryKey().references("oauth_entity.sys_id").onDelete("cascade"))
    .addColumn("client_secret_enc", "text", (c) => c.notNull())
    .addColumn("authorization_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("token_url", "text", (c) => c.notNull())
    .addColumn("revocation_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("default_grant", "varchar(32)", (c) => c.notNull())
    .addColumn("credential_style", "varchar(8)", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  await db.schema
    .createTable("oauth_obtained_token")
    .addColumn("provider", "varchar(32)", (c) => c.primaryKey().references("oauth_entity.sys_id").onDelete("cascade"))
    .addColumn("access_token_enc", "text")
    .addColumn("refresh_token_enc", "text")
    .addColumn("scope", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("grant_type", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("obtained_at", "bigint", (c) => c.notNull())
    .addColumn("generation", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("status_reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("refresh_holder", "varchar(64)")
    .addColumn("refresh_lease_until", "bigint")
    .execute();

  await db.schema
    .createTable("oauth_consumer_state")
    .addColumn("state_hash", "varchar(64)", (c) => c.primaryKey())
    .addColumn("provider", "varchar(32)", (c) => c.notNull().references("oauth_entity.sys_id").onDelete("cascade"))
    .addColumn("session", "varchar(32)", (c) => c.notNull().references("login_session.sys_id").onDelete("cascade"))
    .addColumn("code_verifier_enc", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["oauth_consumer_state", "oauth_obtained_token", "oauth_provider_settings"]) await db.schema.dropTable(table).execute();
}
