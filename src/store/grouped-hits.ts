import { commitBatcher } from "./commit-batcher.ts";
import type { Store } from "./database.ts";
import { addHits, addHitsNow } from "./rate-limit-store.ts";
import { hasWriter, type SqliteWriter } from "./sqlite-writer.ts";
import { sqliteWriteTurn } from "./sqlite-write-turn.ts";

interface Hit {
  bucket: string;
  windowStart: number;
  resolve(count: number): void;
  reject(error: unknown): void;
}

/**
 * Group commit for rate-limit counters: the hits gathered by `commitBatcher` are added in one
 * transaction, one upsert per bucket, and each caller gets the count it would have got from an
 * upsert of its own (the n-th hit of a batch of k that brought the bucket to N sees N − k + n).
 * The counts stay exact across nodes; what goes is a write transaction per request, which under
 * load cost more than issuing the token. On SQLite the batch shares its turn's transaction with
 * the token rows of that turn (src/store/sqlite-write-turn.ts).
 */
export function countHitGrouped(store: Store, bucket: string, windowMs: number, now = Date.now()): Promise<number> {
  const windowStart = now - (now % windowMs);
  if (hasWriter(store.db)) return inWriteTurn(store, { bucket, windowStart });
  return new Promise((resolve, reject) => enqueue(store, { bucket, windowStart, resolve, reject }));
}

/** Hits of one bucket and window in a batch, in arrival order. */
function byBucket<H extends Omit<Hit, "resolve" | "reject">>(hits: H[]): { bucket: string; windowStart: number; hits: H[] }[] {
  const pending = new Map<string, { bucket: string; windowStart: number; hits: H[] }>();
  for (const hit of hits) {
    const key = `${hit.windowStart}\u0000${hit.bucket}`;
    let entry = pending.get(key);
    if (!entry) {
      entry = { bucket: hit.bucket, windowStart: hit.windowStart, hits: [] };
      pending.set(key, entry);
    }
    entry.hits.push(hit);
  }
  // Buckets in one order in every transaction, or the flushes of two nodes in flight at once on PostgreSQL
  // lock the same rows in opposite orders and deadlock (a second's wait, then an error); within a
  // bucket the older window first: after a newer one, an older one's hits count in the newer window.
  return [...pending.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.windowStart - b.windowStart));
}

/** The count each hit sees: the n-th of k hits that brought its bucket to `total` sees total − k + n. */
function handOut<H>(batch: { hits: H[] }[], totals: number[], give: (hit: H, count: number) => void): void {
  batch.forEach((p, i) => {
    const first = totals[i]! - p.hits.length + 1;
    p.hits.forEach((hit, n) => give(hit, first + n));
  });
}

/** Adds `hits` inside `writeDirectly` (SQLite), one upsert per bucket; the count each hit sees, in the order given. */
export function countHitsNow(writer: SqliteWriter, hits: readonly { bucket: string; windowStart: number }[]): number[] {
  const counts = new Map<object, number>();
  const batch = byBucket([...hits]);
  const totals = batch.map((p) => addHitsNow(writer, p.bucket, p.windowStart, p.hits.length));
  handOut(batch, totals, (hit, count) => counts.set(hit, count));
  return hits.map((hit) => counts.get(hit)!);
}

const inWriteTurn = sqliteWriteTurn(countHitsNow);

const enqueue = commitBatcher<Hit>(async (store, hits) => {
  const batch = byBucket(hits);
  try {
    const totals = await store.db.transaction().execute(async (trx) => {
      const counts: number[] = [];
      for (const p of batch) counts.push(await addHits(trx, p.bucket, p.windowStart, p.hits.length));
      return counts;
    });
    handOut(batch, totals, (hit, count) => hit.resolve(count));
  } catch (error) {
    for (const hit of hits) hit.reject(error);
  }
});
