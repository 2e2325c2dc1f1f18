import type { Kysely } from "kysely";
import { commitBatcher } from "./commit-batcher.ts";
import type { Store } from "./database.ts";
import type { Database } from "./schema.ts";
import { hasWriter, inDirectSession, type SqliteWriter } from "./sqlite-writer.ts";

type Work<T> = (trx: Kysely<Database>) => Promise<T>;

interface Waiting {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Enough to amortise a commit; few enough that one batch never holds the writer for long. */
const maxBatch = 64;

/**
 * Runs `work` in a transaction of its own on PostgreSQL. On SQLite (opened by openSqlite), whose one connection
 * serialises every transaction anyway, the works arriving in one turn of the event loop share
 * a transaction, and every caller is answered only after the one commit. On SQLite the commit
 * (writing each dirtied page to the WAL) was the largest single cost of a refresh or code
 * exchange, and neighbouring works dirty the same index pages.
 *
 * A work that throws is undone alone: having written nothing (an invalid grant, refused before
 * any write), it is just set aside; having written, it undoes the whole batch, which then runs
 * again with each work in a transaction of its own. Not a savepoint per work: under a savepoint
 * SQLite first copies each existing page a write touches into a statement journal, and without
 * them a refresh or code exchange took a quarter to a third less CPU (paired runs,
 * bench/results/20261205-212914-compare.json), for a rollback that hardly ever comes.
 */
export function inGroupedTransaction<T>(store: Store, work: Work<T>): Promise<T> {
  if (!hasWriter(store.db)) return store.db.transaction().execute(work);
  return new Promise<T>((resolve, reject) => enqueue(store, { work, resolve: resolve as (value: unknown) => void, reject }));
}

/** One batch in flight per store: works arriving while it waits for the lock or runs go together in the next. */
const enqueue = commitBatcher<Waiting>(async (store, queue) => {
  for (let i = 0; i < queue.length; i += maxBatch) await commit(store, queue.slice(i, i + maxBatch));
});

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * One transaction for the batch, on the connection held for it (src/store/sqlite-writer.ts):
 * transaction control and the works' precompiled statements run straight on better-sqlite3,
 * the rest of their queries through Kysely on the same connection.
 */
async function commit(store: Store, batch: Waiting[]): Promise<void> {
  let failedInWork = false;
  let outcomes: Outcome[];
  try {
    outcomes = await inDirectSession(store.db, (connection, writer) => writer.transaction(() => inOrder(batch, connection, writer, () => (failedInWork = true))));
  } catch (error) {
    // The lock not had within busy_timeout, a failed commit: nothing was kept, and running each work again would only wait again.
    if (!failedInWork || batch.length === 1) return batch.forEach((waiting) => waiting.reject(error));
    // A work failed after writing: nothing of the batch was kept, and each work runs again alone.
    for (const waiting of batch) await commit(store, [waiting]);
    return;
  }
  outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.error)));
}

async function settle(waiting: Waiting, connection: Kysely<Database>): Promise<Outcome> {
  try {
    return { ok: true, value: await waiting.work(connection) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The works one after another. One that throws after writing throws on, to undo them all; so
 * does one after which SQLite no longer has the transaction (a full disk, a stray ROLLBACK),
 * or the works after it would write outside any transaction.
 */
async function inOrder(batch: Waiting[], connection: Kysely<Database>, writer: SqliteWriter, failed: () => void): Promise<Outcome[]> {
  const done: Outcome[] = [];
  for (const waiting of batch) {
    const before = writer.totalChanges();
    const outcome = await settle(waiting, connection);
    if (!writer.inTransaction || (!outcome.ok && writer.totalChanges() !== before)) {
      failed();
      throw outcome.ok ? new Error("SQLite ended the grouped transaction during a work") : outcome.error;
    }
    done.push(outcome);
  }
  return done;
}
