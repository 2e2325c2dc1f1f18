import type { Store } from "./database.ts";
import { type Grant, type IssuedTokens, type TokenRows, tokenRows, writeTokenRows } from "./token-store.ts";

interface Waiting {
  rows: TokenRows;
  resolve(tokens: IssuedTokens): void;
  reject(error: unknown): void;
}

/** Each open store's queue of issues waiting for the next commit. */
const queues = new WeakMap<Store, Waiting[]>();

/** SQLite allows 32 766 bound values per statement; a token row has 16 columns. */
const maxBatch = 500;

/**
 * Group commit for issues that need nothing but an insert (client_credentials): every issue
 * arriving in the same turn of the event loop is written in one transaction, and each caller
 * gets its tokens only after that commit, so every token handed out is already durable. One
 * commit per batch instead of per request is what lets the token endpoint keep up under load.
 */
export function issueTokensGrouped(store: Store, grant: Grant, actor: string, now = Date.now()): Promise<IssuedTokens> {
  const rows = tokenRows(grant, actor, now);
  return new Promise((resolve, reject) => {
    let queue = queues.get(store);
    if (!queue) {
      queue = [];
      queues.set(store, queue);
      setImmediate(() => flush(store));
    }
    queue.push({ rows, resolve, reject });
  });
}

function flush(store: Store): void {
  const queue = queues.get(store) ?? [];
  queues.delete(store);
  for (let i = 0; i < queue.length; i += maxBatch) void commit(store, queue.slice(i, i + maxBatch));
}

async function commit(store: Store, batch: Waiting[]): Promise<void> {
  try {
    await store.db.transaction().execute((trx) => writeTokenRows(trx, batch.map((w) => w.rows), Date.now()));
    for (const w of batch) w.resolve(w.rows.issued);
  } catch (error) {
    if (batch.length === 1) return batch[0]!.reject(error);
    // One bad row must not fail its neighbours: retry each on its own.
    await Promise.all(batch.map((w) => commit(store, [w])));
  }
}
