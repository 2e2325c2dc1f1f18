import type SQLite from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** More distinct statements than the application has; a flood of ad-hoc SQL cannot grow it without bound. */
const cacheLimit = 500;

/**
 * The better-sqlite3 database as Kysely's SQLite dialect sees it, with two changes:
 *
 * - Prepared statements are kept and reused by their SQL text. Kysely prepares every query
 *   anew, and preparing costs more than running the small queries of a token request.
 * - `begin` becomes `begin immediate`. With several processes on one file (`--workers`), a
 *   deferred transaction that reads and then writes can fail with SQLITE_BUSY_SNAPSHOT
 *   instead of waiting for the lock; taking the write lock up front makes it wait.
 */
export function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      const text = sql === "begin" ? "begin immediate" : sql;
      // Transaction control is cheap to prepare and may be wrapped per call (a rollback after SQLite already rolled back): never cached.
      if (/^\s*(rollback|commit|begin)\b/i.test(text)) return sqlite.prepare(text) as unknown as SqliteStatement;
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text) as unknown as SqliteStatement;
        if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}
