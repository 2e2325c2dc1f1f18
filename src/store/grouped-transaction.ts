import { type Kysely, sql } from "kysely";
import type { Store } from "./database.ts";
import type { Database } from "./schema.ts";

type Work<T> = (trx: Kysely<Database>) => Promise<T>;

interface Waiting {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const queues = new WeakMap<Store, Waiting[]>();

/** Enough to amortise a commit; few enough that one batch never holds the writer for long. */
const maxBatch = 64;

/**
 * Runs `work` in a transaction of its own on PostgreSQL. On SQLite, whose one connection
 * serialises every transaction anyway, the works arriving in one turn of the event loop share
 * a transaction, each inside its own savepoint: a work that throws is rolled back alone, and
 * every caller is answered only after the one commit. On SQLite the commit (writing each
 * dirtied page to the WAL) was the largest single cost of a refresh or code exchange, and
 * neighbouring works dirty the same index pages.
 */
export function inGroupedTransaction<T>(store: Store, work: Work<T>): Promise<T> {
  if (store.dialect !== "sqlite") return store.db.transaction().execute(work);
  return new Promise<T>((resolve, reject) => {
    let queue = queues.get(store);
    if (!queue) {
      queue = [];
      queues.set(store, queue);
      setImmediate(() => flush(store));
    }
    queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
}

function flush(store: Store): void {
  const queue = queues.get(store) ?? [];
  queues.delete(store);
  for (let i = 0; i < queue.length; i += maxBatch) void commit(store, queue.slice(i, i + maxBatch));
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function commit(store: Store, batch: Waiting[]): Promise<void> {
  if (batch.length === 1) {
    const only = batch[0]!;
    return store.db.transaction().execute(only.work).then(only.resolve, only.reject);
  }
  let outcomes: Outcome[];
  try {
    outcomes = await store.db.transaction().execute(async (trx) => {
      const done: Outcome[] = [];
      for (const [i, waiting] of batch.entries()) {
        await sql.raw(`savepoint grouped_${i}`).execute(trx);
        try {
          done.push({ ok: true, value: await waiting.work(trx) });
        } catch (error) {
          await sql.raw(`rollback to grouped_${i}`).execute(trx);
          done.push({ ok: false, error });
        }
        await sql.raw(`release grouped_${i}`).execute(trx);
      }
      return done;
    });
  } catch {
    // The transaction itself failed (a full disk, a lost lock): nothing of it was kept, so each work runs again alone.
    await Promise.all(batch.map((waiting) => commit(store, [waiting])));
    return;
  }
  outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.error)));
}
