import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Takes the lease on a background job for `ttlMs`, or returns false when another node holds
 * it. One conditional write decides, on SQLite files shared by processes and on PostgreSQL alike.
 */
export async function tryTakeLease(db: Kysely<Database>, name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  await db.insertInto("job_lease").values({ name, holder: "", expires_at: 0 }).onConflict((oc) => oc.column("name").doNothing()).execute();
  const result = await db
    .updateTable("job_lease")
    .set({ holder, expires_at: now + ttlMs })
    .where("name", "=", name)
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("holder", "=", holder)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease up early (the job ran out of work), so another node need not wait for it to expire. */
export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.updateTable("job_lease").set({ holder: "", expires_at: 0 }).where("name", "=", name).where("holder", "=", holder).execute();
}
