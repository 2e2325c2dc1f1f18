import type { CreateTableBuilder, Kysely } from "kysely";

// Migrations are frozen once released: they take Kysely<any> because the typed schema moves on.
type Db = Kysely<any>;

function systemFields<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return table
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("sys_created_on", "varchar(19)", (c) => c.notNull())
    .addColumn("sys_created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("sys_updated_on", "varchar(19)", (c) => c.notNull())
    .addColumn("sys_updated_by", "varchar(100)", (c) => c.notNull())
    .addColumn("sys_mod_count", "integer", (c) => c.notNull().defaultTo(0));
}

export async function up(db: Db): Promise<void> {
  await systemFields(db.schema.createTable("sys_user"))
    .addColumn("user_name", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("name", "varchar(200)", (c) => c.notNull().defaultTo(""))
    .addColumn("email", "varchar(200)", (c) => c.notNull().defaultTo(""))
    .addColumn("password_hash", "text")
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "bigint")
    .execute();

  await systemFields(db.schema.createTable("sys_user_role"))
    .addColumn("name", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  await systemFields(db.schema.createTable("sys_user_has_role"))
    .addColumn("user", "varchar(32)", (c) => c.notNull().references("sys_user.sys_id").onDelete("cascade"))
    .addColumn("role", "varchar(32)", (c) => c.notNull().references("sys_user_role.sys_id").onDelete("cascade"))
    .addUniqueConstraint("sys_user_has_role_user_role", ["user", "role"])
    .execute();

  await systemFields(db.schema.createTable("oauth_entity"))
    .addColumn("name", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("type", "varchar(16)", (c) => c.notNull())
    .addColumn("client_id", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("client_secret_hash", "varchar(64)")
    .addColumn("redirect_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("logo_url", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("public_client", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pkce_required", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("allow_http_redirect", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("access_token_lifespan", "integer", (c) => c.notNull())
    .addColumn("refresh_token_lifespan", "integer", (c) => c.notNull())
    .addColumn("grant_types", "text", (c) => c.notNull())
    .addColumn("client_credentials_user", "varchar(32)", (c) => c.references("sys_user.sys_id").onDelete("set null"))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("accessible_from", "varchar(16)", (c) => c.notNull().defaultTo("all"))
    .addColumn("sys_scope", "varchar(100)", (c) => c.notNull().defaultTo("global"))
    .addColumn("comments", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  await systemFields(db.schema.createTable("oauth_credential"))
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("type", "varchar(16)", (c) => c.notNull())
    .addColumn("client", "varchar(32)", (c) => c.notNull().references("oauth_entity.sys_id").onDelete("cascade"))
    .addColumn("user", "varchar(32)", (c) => c.references("sys_user.sys_id").onDelete("cascade"))
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("family", "varchar(32)", (c) => c.notNull())
    .addColumn("code", "varchar(32)")
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .addColumn("rotated_at", "bigint")
    .execute();
  await db.schema.createIndex("oauth_credential_family").on("oauth_credential").column("family").execute();
  await db.schema.createIndex("oauth_credential_client").on("oauth_credential").column("client").execute();
  await db.schema.createIndex("oauth_credential_expires_at").on("oauth_credential").column("expires_at").execute();

  await db.schema
    .createTable("oauth_auth_code")
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("code_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("client", "varchar(32)", (c) => c.notNull().references("oauth_entity.sys_id").onDelete("cascade"))
    .addColumn("user", "varchar(32)", (c) => c.notNull().references("sys_user.sys_id").onDelete("cascade"))
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("code_challenge", "varchar(128)")
    .addColumn("family", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("consumed_at", "bigint")
    .addColumn("sys_created_on", "varchar(19)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("login_session")
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("session_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("user", "varchar(32)", (c) => c.notNull().references("sys_user.sys_id").onDelete("cascade"))
    .addColumn("csrf_token", "varchar(64)", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("sys_created_on", "varchar(19)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("sys_audit")
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("tablename", "varchar(80)", (c) => c.notNull())
    .addColumn("documentkey", "varchar(32)", (c) => c.notNull())
    .addColumn("fieldname", "varchar(80)", (c) => c.notNull())
    .addColumn("oldvalue", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("newvalue", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("user", "varchar(100)", (c) => c.notNull())
    .addColumn("sys_created_on", "varchar(19)", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sys_audit_document").on("sys_audit").columns(["tablename", "documentkey"]).execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of ["sys_audit", "login_session", "oauth_auth_code", "oauth_credential", "oauth_entity", "sys_user_has_role", "sys_user_role", "sys_user"]) {
    await db.schema.dropTable(table).execute();
  }
}
