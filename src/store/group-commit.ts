import { commitBatcher } from "./commit-batcher.ts";
import type { Store } from "./database.ts";
import { countHitsNow } from "./grouped-hits.ts";
import { hasWriter } from "./sqlite-writer.ts";
import { sqliteWriteTurn } from "./sqlite-write-turn.ts";
import { type Grant, type IssuedTokens, type TokenRows, tokenRows, writeTokenRows, writeTokenRowsNow } from "./token-store.ts";

interface Waiting {
  rows: TokenRows;
  resolve(tokens: IssuedTokens): void;
  reject(error: unknown): void;
}

/** One multi-row insert per batch on PostgreSQL: at most 65 535 bound values, 16 a row. */
const maxBatch = 500;

/**
 * Group commit for issues that need nothing but an insert (client_credentials): the issues
 * gathered by `commitBatcher` are written in one transaction, and each caller gets its tokens
 * only after that commit, so every token handed out is already durable. One commit per batch
 * instead of per request is what lets the token endpoint keep up under load. On SQLite the rows
 * share their turn's transaction with the rate-limit hits of that turn (src/store/sqlite-write-turn.ts).
 */
export function issueTokensGrouped(store: Store, grant: Grant, actor: string, now = Date.now()): Promise<IssuedTokens> {
  // On SQLite the token endpoint counts its rate-limit hits in the same turn (issueTokensWithinLimits); with none to count, nothing refuses the issue.
  if (hasWriter(store.db)) return issueTokensWithinLimits(store, [], grant, actor, now) as Promise<IssuedTokens>;
  const rows = tokenRows(grant, actor, now);
  return new Promise((resolve, reject) => enqueue(store, { rows, resolve, reject }));
}

const enqueue = commitBatcher<Waiting>(async (store, queue) => {
  const batches: Promise<void>[] = [];
  for (let i = 0; i < queue.length; i += maxBatch) batches.push(commit(store, queue.slice(i, i + maxBatch)));
  await Promise.all(batches);
});

async function commit(store: Store, batch: Waiting[]): Promise<void> {
  try {
    const rows = batch.map((w) => w.rows);
    await store.db.transaction().execute((trx) => writeTokenRows(trx, rows, Date.now()));
    for (const w of batch) w.resolve(w.rows.issued);
  } catch (error) {
    if (batch.length === 1) return batch[0]!.reject(error);
    // One bad row must not fail its neighbours: retry each on its own.
    await Promise.all(batch.map((w) => commit(store, [w])));
  }
}

/** A rate-limit hit counted in the same write as the tokens it lets through. */
export interface GateHit {
  bucket: string;
  windowStart: number;
  limit: number;
}

interface GatedIssue {
  hits: readonly GateHit[];
  rows: TokenRows;
}

/** Whether `issueTokensWithinLimits` can be used: on SQLite, where a turn's writes are one synchronous transaction. */
export function issuesWithinLimits(store: Store): boolean {
  return hasWriter(store.db);
}

/**
 * Counts a request's rate-limit hits and, if every count is within its limit, writes its tokens,
 * in one write turn; null when a limit was passed (the hits still count; no token is written).
 * Counting first and issuing after took two turns, one commit each, and every caller waited for
 * both: under load, twice the time to an answer.
 */
export function issueTokensWithinLimits(store: Store, hits: readonly GateHit[], grant: Grant, actor: string, now = Date.now()): Promise<IssuedTokens | null> {
  return inGatedTurn(store, { hits, rows: tokenRows(grant, actor, now) });
}

const inGatedTurn = sqliteWriteTurn((writer, items: GatedIssue[]) => {
  const hits = items.flatMap((item) => item.hits);
  const counts = countHitsNow(writer, hits);
  const countOf = new Map<GateHit, number>(hits.map((hit, i) => [hit, counts[i]!]));
  const within = items.map((item) => item.hits.every((hit) => countOf.get(hit)! <= hit.limit));
  writeTokenRowsNow(
    writer,
    items.filter((_, i) => within[i]).map((item) => item.rows),
    Date.now(),
  );
  return items.map((item, i) => (within[i] ? item.rows.issued : null));
});
