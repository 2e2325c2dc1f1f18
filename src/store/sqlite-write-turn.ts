import { commitBatcher } from "./commit-batcher.ts";
import type { Store } from "./database.ts";
import { type SqliteWriter, writeDirectly } from "./sqlite-writer.ts";

interface Entry<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** One kind's items in a turn, and how they are written. */
interface Part<T = unknown, R = unknown> {
  entries: Entry<T, R>[];
  write(writer: SqliteWriter, items: T[]): R[];
  /** Items arriving once the turn has begun go to the next turn. */
  close(): void;
}


/**
 * Group commit on SQLite across kinds of write: whatever is gathered in one turn of the event
 * loop (the rate-limit hits of new token requests, the token rows of the requests whose hits
 * the last turn committed) is written in one transaction, and every caller is answered after
 * that one commit. Two kinds, two transactions a turn, was twice the commits and the write-lock
 * takes: with `--workers` each take is a chance to find a neighbour's lock and wait.
 *
 * `write` runs synchronously on the turn's transaction and returns one result per item. If it
 * throws, the whole turn is rolled back and each item of every kind is written again in a
 * transaction of its own, so one bad item does not fail its neighbours. Not a savepoint per
 * kind: under a savepoint SQLite first copies each existing page a write touches into a statement
 * journal, and that cost about 10 % more CPU per token (paired runs) for a failure that hardly
 * ever comes.
 * If the transaction itself fails (the lock not had within busy_timeout, a full disk), nothing
 * of the turn is kept and every caller gets the error.
 */
export function sqliteWriteTurn<T, R>(write: (writer: SqliteWriter, items: T[]) => R[]): (store: Store, item: T) => Promise<R> {
  const open = new WeakMap<Store, Part<T, R>>();
  return (store, item) =>
    new Promise<R>((resolve, reject) => {
      let part = open.get(store);
      if (!part) {
        part = { entries: [], write, close: () => open.delete(store) };
        open.set(store, part);
        join(store, part as unknown as Part);
      }
      part.entries.push({ item, resolve, reject });
    });
}

/**
 * One turn in flight per store (commitBatcher): what arrives while a turn waits for the lock or
 * writes gathers for the next, so a held lock makes batches grow rather than transactions
 * queue, each waiting out busy_timeout in its turn.
 */
const join = commitBatcher<Part>(async (store, parts) => {
  for (const part of parts) part.close();
  await commit(store, parts);
});

async function commit(store: Store, parts: Part[]): Promise<void> {
  let failedInWrite = false;
  let results: unknown[][];
  try {
    results = await writeDirectly(store.db, (writer) =>
      parts.map((part) => {
        try {
          return part.write(writer, part.entries.map((entry) => entry.item));
        } catch (error) {
          failedInWrite = true;
          throw error;
        }
      }),
    );
  } catch (error) {
    const alone = parts.flatMap((part) => part.entries.map((entry) => ({ ...part, entries: [entry] })));
    if (!failedInWrite || alone.length === 1) for (const part of alone) part.entries[0]!.reject(error);
    else await Promise.all(alone.map((part) => commit(store, [part])));
    return;
  }
  parts.forEach((part, p) => part.entries.forEach((entry, i) => entry.resolve(results[p]![i])));
}
