import { commitBatcher } from "./commit-batcher.ts";
import type { Store } from "./database.ts";
import { addHits, addHitsNow } from "./rate-limit-store.ts";
import { hasWriter, writeDirectly } from "./sqlite-writer.ts";

interface Pending {
  bucket: string;
  windowStart: number;
  waiting: { resolve(count: number): void; reject(error: unknown): void }[];
}

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
 * load cost more than issuing the token.
 */
export function countHitGrouped(store: Store, bucket: string, windowMs: number, now = Date.now()): Promise<number> {
  const windowStart = now - (now % windowMs);
  return new Promise((resolve, reject) => enqueue(store, { bucket, windowStart, resolve, reject }));
}

const enqueue = commitBatcher<Hit>(async (store, hits) => {
  const pending = new Map<string, Pending>();
  for (const hit of hits) {
    const key = `${hit.windowStart}\u0000${hit.bucket}`;
    let entry = pending.get(key);
    if (!entry) {
      entry = { bucket: hit.bucket, windowStart: hit.windowStart, waiting: [] };
      pending.set(key, entry);
    }
    entry.waiting.push(hit);
  }
  await flush(store, pending);
});

async function flush(store: Store, queue: Map<string, Pending>): Promise<void> {
  // Buckets in one order in every transaction, or the flushes of two nodes in flight at once on PostgreSQL
  // lock the same rows in opposite orders and deadlock (a second's wait, then an error); within a
  // bucket the older window first: adding to a newer one and then an older one would move it back.
  const batch = [...queue.values()].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : a.windowStart - b.windowStart));
  try {
    const totals = hasWriter(store.db)
      ? await writeDirectly(store.db, (writer) => batch.map((p) => addHitsNow(writer, p.bucket, p.windowStart, p.waiting.length)))
      : await store.db.transaction().execute(async (trx) => {
          const counts: number[] = [];
          for (const p of batch) counts.push(await addHits(trx, p.bucket, p.windowStart, p.waiting.length));
          return counts;
        });
    batch.forEach((p, i) => {
      const first = totals[i]! - p.waiting.length + 1;
      p.waiting.forEach((w, n) => w.resolve(first + n));
    });
  } catch (error) {
    for (const p of batch) for (const w of p.waiting) w.reject(error);
  }
}
