import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, type Dialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";
import { withStatementCache } from "./sqlite-statements.ts";

export type DialectName = "sqlite" | "postgres";

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Where the data lives, for messages: a file path or the database URL without its password. */
  readonly location: string;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export class StoreError extends Error {}

/** bigint columns hold epoch milliseconds, which fit a JS number until the year 287 396. */
const int8Types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openSqlite(path.join(options.dataDir, "portcullis.sqlite"));
}

export function openSqlite(file: string): Store {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    // WAL lets readers run beside the writer; NORMAL keeps every commit across a process crash.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    // 32 MiB of page cache (the default is 2 MiB): token lookups and inserts touch random index pages.
    sqlite.pragma("cache_size = -32768");
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, dialect: "sqlite", location: file, close: () => db.destroy() };
  } catch (error) {
    throw new StoreError(`cannot open the SQLite database at ${file}: ${(error as Error).message}`);
  }
}

export function openPostgres(databaseUrl: string): Store {
  let location: string;
  try {
    const url = new URL(databaseUrl);
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error("not a postgres:// URL");
    url.password = url.password ? "***" : "";
    location = url.toString();
  } catch {
    throw new StoreError("DATABASE_URL must be a postgres://user:password@host:port/database URL");
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, types: int8Types, max: 10 });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return fromDialect(new PostgresDialect({ pool }), "postgres", location);
}

export function fromDialect(dialect: Dialect, name: DialectName, location: string): Store {
  const db = new Kysely<Database>({ dialect });
  return { db, dialect: name, location, close: () => db.destroy() };
}
