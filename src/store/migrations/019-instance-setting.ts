import type { Kysely } from "kysely";

/**
 * Settings the whole instance shares, a row each, that every node must agree on: first the
 * public URL it serves (src/public-url-check.ts), so a node started with another one is refused
 * instead of issuing tokens under another issuer. An instance served before this keeps the URL
 * it last started with, so its first start after the upgrade is checked too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("instance_setting")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
  const served = await db.selectFrom("served_public_url").select("url").orderBy("started_at", "desc").limit(1).executeTakeFirst();
  if (served) await db.insertInto("instance_setting").values({ name: "public_url", value: served.url }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("instance_setting").execute();
}
