import SQLite from "better-sqlite3";
import { sql } from "kysely";
import type { Store } from "../../src/store/database.ts";

/**
 * Runs `check` while a second connection to the store's SQLite file holds the write lock (BEGIN
 * IMMEDIATE), as another `--workers` process or a CLI command would; `check` may commit or roll
 * it back itself. With `busyTimeoutMs` the store waits that long for the lock meanwhile; its own
 * busy_timeout comes back afterwards.
 */
export async function whileAnotherConnectionWrites(store: Store, options: { busyTimeoutMs?: number }, check: (other: SQLite.Database) => Promise<void>): Promise<void> {
  const other = new SQLite(store.location);
  const restore = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db)).rows[0]!.timeout;
  if (options.busyTimeoutMs !== undefined) await sql`pragma busy_timeout = ${sql.raw(String(Math.trunc(options.busyTimeoutMs)))}`.execute(store.db);
  try {
    other.exec("begin immediate");
    await check(other);
  } finally {
    if (other.inTransaction) other.exec("rollback");
    other.close();
    await sql`pragma busy_timeout = ${sql.raw(String(restore))}`.execute(store.db);
  }
}
