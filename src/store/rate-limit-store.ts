import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.ts";
import { precompiled } from "./precompiled-query.ts";
import type { SqliteWriter } from "./sqlite-writer.ts";

/**
 * Adds `hits` to a bucket's current fixed window and returns the count so far (the window
 * starts over when `windowStart` moved on, and never moves back). One upsert, atomic on both dialects, so
 * concurrent nodes never lose a hit.
 */
const upsertHits = precompiled((db: Kysely<Database>, bucket: string, windowStart: number, hits: number) =>
  db
    .insertInto("rate_limit")
    .values({ bucket, window_start: windowStart, count: hits })
    .onConflict((oc) =>
      oc.column("bucket").doUpdateSet({
        // A hit of an older window arriving late (a batch retried after a newer one) counts in the
        // newer window rather than moving the bucket back and losing that window's count.
        count: sql<number>`case when rate_limit.window_start >= ${windowStart} then rate_limit.count + ${hits} else ${hits} end`,
        window_start: sql<number>`case when rate_limit.window_start > ${windowStart} then rate_limit.window_start else ${windowStart} end`,
      }),
    )
    .returning("count"),
);

export async function addHits(db: Kysely<Database>, bucket: string, windowStart: number, hits: number): Promise<number> {
  const row = (await upsertHits(db, bucket, windowStart, hits)).rows[0];
  if (!row) throw new Error("the rate-limit upsert returned no row");
  return Number(row.count);
}

/** `addHits` inside `writeDirectly` (SQLite). */
export function addHitsNow(writer: SqliteWriter, bucket: string, windowStart: number, hits: number): number {
  const row = upsertHits.now(writer, bucket, windowStart, hits)[0];
  if (!row) throw new Error("the rate-limit upsert returned no row");
  return Number(row.count);
}

/** Counts one request against a bucket's current fixed window and returns the count so far. */
export async function countHit(db: Kysely<Database>, bucket: string, windowMs: number, now = Date.now()): Promise<number> {
  return addHits(db, bucket, now - (now % windowMs), 1);
}

/** Forgets windows that ended; run with the other clean-up jobs. */
export async function deleteStaleBuckets(db: Kysely<Database>, olderThan: number): Promise<void> {
  await db.deleteFrom("rate_limit").where("window_start", "<", olderThan).execute();
}

/** Where a bucket's window starts, or null: a lock kept as a bucket whose "window" starts when it ends. */
export async function bucketWindowStart(db: Kysely<Database>, bucket: string): Promise<number | null> {
  const row = await db.selectFrom("rate_limit").select("window_start").where("bucket", "=", bucket).executeTakeFirst();
  return row ? Number(row.window_start) : null;
}

/** The bucket's count in the current window, without counting a hit. */
export async function currentHits(db: Kysely<Database>, bucket: string, windowMs: number, now = Date.now()): Promise<number> {
  const windowStart = now - (now % windowMs);
  const row = await db.selectFrom("rate_limit").select("count").where("bucket", "=", bucket).where("window_start", "=", windowStart).executeTakeFirst();
  return row ? Number(row.count) : 0;
}
