import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteAdapter, type Dialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";
import { translator, type LocalText } from "../i18n/translator.ts";
import { createPrivateFile, makePrivateDirectory } from "./private-files.ts";
import { withStatementCache } from "./sqlite-statements.ts";
import { attachReader } from "./sqlite-reader.ts";
import { attachWriter } from "./sqlite-writer.ts";
import { ImmediateSqliteDialect } from "./sqlite-write-lock.ts";
import { PostgresClient } from "./postgres-client.ts";
import { checkpointInBackground, type WalCheckpointer } from "./wal-checkpointer.ts";

export type DialectName = "sqlite" | "postgres";

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** Where the data lives, for messages: a file path or the database URL without its password. */
  readonly location: string;
  /** The PostgreSQL pool, for metrics; absent on SQLite. */
  readonly pool?: pg.Pool;
  /** SQLite only: move WAL checkpoints off the event loop, for a serving process (src/store/wal-checkpointer.ts). */
  checkpointInBackground?(): void;
  close(): Promise<void>;
}

export interface PostgresOptions {
  /** PostgreSQL connections per process (PORTCULLIS_DB_POOL_SIZE): nodes × workers × this must fit the server's max_connections. */
  poolSize?: number | undefined;
  /** How long a PostgreSQL connection or query may go unanswered, ms (PORTCULLIS_DB_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** A query's own limit when it differs from timeoutMs; 0 lets it run as long as it takes (migrations). */
  queryTimeoutMs?: number | undefined;
}

export interface StoreOptions extends PostgresOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export class StoreError extends Error {
  /** `message` is the English; `text`, when given, lets the CLI say it in the reader's language. */
  constructor(message: string, readonly text?: LocalText) {
    super(message);
  }
}

/** A StoreError whose English message and localisable text come from one catalog entry. */
export function localStoreError(text: LocalText): StoreError {
  return new StoreError(translator("en").t(text.key, text.values), text);
}

/** Whether `db` (a database or one of its transactions) speaks to SQLite, for code that has no Store at hand. */
export function onSqlite(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** bigint columns hold epoch milliseconds, which fit a JS number until the year 287 396. */
const int8Types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

/** The embedded database's file in a data directory. */
export const sqliteFile = (dataDir: string): string => path.join(dataDir, "portcullis.sqlite");

export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openSqlite(sqliteFile(options.dataDir));
}

export function openSqlite(file: string): Store {
  try {
    makePrivateDirectory(path.dirname(file));
    createPrivateFile(file);
    const sqlite = new SQLite(file);
    // WAL lets readers run beside the writer; NORMAL keeps every commit across a process crash.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    // 32 MiB of page cache (the default is 2 MiB): token lookups and inserts touch random index pages.
    sqlite.pragma("cache_size = -32768");
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(keepFirstError(sqlite)) }, sqlite) });
    const reader = attachReader(db, file);
    attachWriter(db, sqlite);
    let checkpointer: WalCheckpointer | undefined;
    return {
      db,
      dialect: "sqlite",
      location: file,
      checkpointInBackground: () => void (checkpointer ??= checkpointInBackground(file)),
      close: async () => {
        await checkpointer?.stop();
        reader.close();
        await db.destroy();
      },
    };
  } catch (error) {
    throw new StoreError(`cannot open the SQLite database at ${file}: ${(error as Error).message}`);
  }
}

/**
 * On SQLITE_FULL or an I/O error SQLite rolls the transaction back itself; Kysely's own
 * ROLLBACK would then fail with "no transaction is active" and hide the real cause (and
 * turn a 503 into a 500). A ROLLBACK with no transaction open is therefore a no-op.
 */
function keepFirstError(sqlite: SQLite.Database): SQLite.Database {
  const noop = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }), all: () => [], iterate: () => [][Symbol.iterator]() };
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== "prepare") {
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (source: string) => (/^\s*rollback\s*$/i.test(source) && !target.inTransaction ? noop : target.prepare(source));
    },
  });
}

export function openPostgres(databaseUrl: string, options: PostgresOptions = {}): Store {
  let location: string;
  try {
    const url = new URL(databaseUrl);
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error("not a postgres:// URL");
    url.password = url.password ? "***" : "";
    // libpq also takes the password as a query parameter.
    for (const name of ["password", "sslpassword"]) if (url.searchParams.has(name)) url.searchParams.set(name, "***");
    location = url.toString();
  } catch {
    throw new StoreError("DATABASE_URL must be a postgres://user:password@host:port/database URL");
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  // A server that accepts connections but never answers (frozen, or cut off without a reset)
  // would hold a request forever: waiting for a connection and for a query's answer are both
  // bounded, and turn into 503s (src/store/availability.ts).
  const queryTimeoutMs = options.queryTimeoutMs ?? timeoutMs;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    types: int8Types,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: timeoutMs,
    // The server stops a query past the limit itself (statement_timeout), so it does not run on
    // with its locks after the request was answered 503, and the connection stays usable. This
    // side waits a second more: past that the server is not answering at all (frozen, cut off),
    // and the connection is dropped (postgres-client.ts). Waiting exactly as long raced the
    // server's cancel and dropped good connections. 0 (migrations) is no limit on either side.
    statement_timeout: queryTimeoutMs,
    query_timeout: queryTimeoutMs === 0 ? 0 : queryTimeoutMs + 1000,
    Client: PostgresClient,
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return { ...fromDialect(new PostgresDialect({ pool }), "postgres", location), pool };
}

export function fromDialect(dialect: Dialect, name: DialectName, location: string): Store {
  const db = new Kysely<Database>({ dialect });
  return { db, dialect: name, location, close: () => db.destroy() };
}
