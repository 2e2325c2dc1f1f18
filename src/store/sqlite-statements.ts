import type SQLite from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** More distinct statements than the application has; a flood of ad-hoc SQL cannot grow it without bound. */
const cacheLimit = 500;

/**
 * The better-sqlite3 database as Kysely's SQLite dialect sees it, its prepared statements
 * kept and reused by their SQL text: Kysely prepares every query anew, and preparing costs more
 * than running the small queries of a token request. (Transactions begin in
 * src/store/sqlite-write-lock.ts.)
 */
export function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (sql: string) => {
      // Transaction control is cheap to prepare and may be wrapped per call (a rollback after SQLite already rolled back): never cached.
      if (/^\s*(rollback|commit|begin)\b/i.test(sql)) return sqlite.prepare(sql) as unknown as SqliteStatement;
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
