import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** The public URL a start served, and when it started. */
export interface ServedPublicUrl {
  url: string;
  startedAt: number;
}

/**
 * Kept by every start once it listens, one row per URL ever served (a handful), as an upsert:
 * nodes of a cluster starting together with one URL never collide on its key, and no start
 * deletes another's row, which two nodes with different URLs would deadlock over.
 */
export async function recordServedPublicUrl(db: Kysely<Database>, url: string, now = Date.now()): Promise<void> {
  await db.insertInto("served_public_url").values({ url, started_at: now }).onConflict((conflict) => conflict.column("url").doUpdateSet({ started_at: now })).execute();
}

/** The latest start's, or undefined when the instance has not been started since this version. */
export async function lastServedPublicUrl(db: Kysely<Database>): Promise<ServedPublicUrl | undefined> {
  const row = await db.selectFrom("served_public_url").select(["url", "started_at"]).orderBy("started_at", "desc").limit(1).executeTakeFirst();
  return row && { url: row.url, startedAt: Number(row.started_at) };
}
