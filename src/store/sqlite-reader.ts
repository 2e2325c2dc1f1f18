import SQLite from "better-sqlite3";
import type { CompiledQuery, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";
import { type RowsOf, rowsOf } from "./sqlite-rows.ts";

/**
 * A second connection to an SQLite file, for the hot single-statement reads made outside any
 * transaction (the bearer check, the client lookup on the token endpoint). Through Kysely
 * such a read waits on the one connection's lock behind every open write transaction and
 * costs a chain of promises; here it is one synchronous call. In WAL mode the second
 * connection sees every committed write and nothing uncommitted, so a read never sees a token
 * that a rolled-back batch would have issued, nor misses a revocation already answered.
 */
export interface SqliteReader {
  /** Runs a SELECT prepared once per SQL text. */
  all<R>(sql: string, parameters: readonly unknown[]): R[];
  /**
   * SQLite's `PRAGMA data_version` on this connection: it changes whenever any other
   * connection, this process's writer included, has committed since the last call, and when
   * the connection was closed and opened again. Reads kept while it stays the same are what a
   * new read would return.
   */
  dataVersion(): number;
  close(): void;
}

const statementLimit = 512;
const readers = new WeakMap<Kysely<Database>, SqliteReader>();

/** Gives `db` (the database itself, not its transactions) a reader on `file`, opened on first use. */
export function attachReader(db: Kysely<Database>, file: string): SqliteReader {
  let connection: SQLite.Database | undefined;
  let version: SQLite.Statement | undefined;
  // data_version is a count kept per connection, and a new one counts again from its first value
  // (SQLite: only values from one connection compare). Each connection's values are lifted past
  // every value given out before it, so a grant kept under a closed connection's version never
  // matches a version of the one opened after it, whatever was committed in between.
  let floor = 0;
  let last = 0;
  const statements = new Map<string, RowsOf>();
  const open = (): SQLite.Database => {
    const opened = new SQLite(file, { fileMustExist: true });
    opened.pragma("busy_timeout = 5000");
    opened.pragma("cache_size = -32768");
    // Only ever reads: a statement that would write is refused by SQLite itself.
    opened.pragma("query_only = ON");
    return opened;
  };
  const reader: SqliteReader = {
    all<R>(sql: string, parameters: readonly unknown[]): R[] {
      connection ??= open();
      let rows = statements.get(sql);
      if (rows === undefined) {
        // The Table API's reads bring SQL made from a client's sysparm_fields: keep the most recent.
        if (statements.size >= statementLimit) statements.delete(statements.keys().next().value!);
        rows = rowsOf(connection.prepare(sql));
        statements.set(sql, rows);
      }
      return rows<R>(parameters);
    },
    dataVersion(): number {
      connection ??= open();
      version ??= connection.prepare("PRAGMA data_version").pluck();
      last = floor + (version.get() as number);
      return last;
    },
    close() {
      floor = last;
      statements.clear();
      version = undefined;
      connection?.close();
      connection = undefined;
    },
  };
  readers.set(db, reader);
  return reader;
}

/** The reader of `db`, or none: on PostgreSQL, and inside a transaction, which must read through its own connection. */
export function readerOf(db: Kysely<Database>): SqliteReader | undefined {
  return readers.get(db);
}

/**
 * Rows of a SELECT built with Kysely: on SQLite outside a transaction, compiled and run at once
 * on the reader, which skips Kysely's queue for the one connection and its chain of promises;
 * otherwise (PostgreSQL, a transaction) through Kysely.
 */
export async function selectRows<R>(db: Kysely<Database> | Transaction<Database>, query: { compile(): CompiledQuery<R>; execute(): Promise<R[]> }): Promise<R[]> {
  const reader = readers.get(db as Kysely<Database>);
  if (!reader) return query.execute();
  const compiled = query.compile();
  return reader.all<R>(compiled.sql, compiled.parameters);
}
