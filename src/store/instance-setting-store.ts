import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** The settings kept in instance_setting. */
export type InstanceSettingName = "public_url";

/**
 * The stored value, or `proposed` stored now when there is none. Insert-if-absent, then read:
 * nodes starting together on a new database all get the first one's value, never each their own.
 */
export async function claimInstanceSetting(db: Kysely<Database>, name: InstanceSettingName, proposed: string): Promise<string> {
  await db.insertInto("instance_setting").values({ name, value: proposed }).onConflict((conflict) => conflict.column("name").doNothing()).execute();
  const row = await db.selectFrom("instance_setting").select("value").where("name", "=", name).executeTakeFirstOrThrow();
  return row.value;
}

export async function replaceInstanceSetting(db: Kysely<Database>, name: InstanceSettingName, value: string): Promise<void> {
  await db.insertInto("instance_setting").values({ name, value }).onConflict((conflict) => conflict.column("name").doUpdateSet({ value })).execute();
}

export async function readInstanceSetting(db: Kysely<Database>, name: InstanceSettingName): Promise<string | undefined> {
  const row = await db.selectFrom("instance_setting").select("value").where("name", "=", name).executeTakeFirst();
  return row?.value;
}
