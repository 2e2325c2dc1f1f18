import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";

/**
 * What `pipeline up`, `verify` and `rotate` last saw, recorded on every instance of the
 * pipeline so the admin UI's Pipeline page can draw edges this instance cannot observe itself
 * (whether a peer's call to a third instance works). The report is JSON the pipeline wrote
 * and the API validated; older runs are pruned on insert.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("pipeline_run")
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull())
    .addColumn("recorded_at", "bigint", (c) => c.notNull())
    .addColumn("recorded_by", "varchar(100)", (c) => c.notNull())
    .addColumn("report", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("pipeline_run_recorded_at").on("pipeline_run").column("recorded_at").execute();

  // The platform's OAuth Entity Profile: a named grant type and scope of a third-party provider.
  // Every provider has one default profile, which is what its token requests use.
  await db.schema
    .createTable("oauth_entity_profile")
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("entity", "varchar(32)", (c) => c.notNull().references("oauth_entity.sys_id").onDelete("cascade"))
    .addColumn("name", "varchar(100)", (c) => c.notNull())
    .addColumn("grant_type", "varchar(32)", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("oauth_entity_profile_name").on("oauth_entity_profile").columns(["entity", "name"]).unique().execute();
  // RFC 9207: the issuer an authorization response must name, when the provider says it names one.
  await db.schema.alterTable("oauth_consumer_state").addColumn("expected_issuer", "text").execute();

  // Providers made before profiles existed get the default profile the platform would have made.
  const providers = await db.selectFrom("oauth_entity as e").innerJoin("oauth_provider_settings as s", "s.entity", "e.sys_id").select(["e.sys_id", "e.name", "s.default_grant", "s.scope"]).execute();
  for (const p of providers) {
    await db.insertInto("oauth_entity_profile").values({ sys_id: randomBytes(16).toString("hex"), entity: p.sys_id, name: `${p.name} default_profile`, grant_type: p.default_grant, scope: p.scope, is_default: 1 }).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("oauth_consumer_state").dropColumn("expected_issuer").execute();
  await db.schema.dropTable("oauth_entity_profile").execute();
  await db.schema.dropTable("pipeline_run").execute();
}
