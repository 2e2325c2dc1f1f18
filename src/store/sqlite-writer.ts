import type SQLite from "better-sqlite3";
import type { Kysely, QueryResult } from "kysely";
import type { Database } from "./schema.ts";
import { type RowsOf, rowsOf } from "./sqlite-rows.ts";
import { beginImmediate } from "./sqlite-write-lock.ts";

/**
 * The grouped writes of the token endpoint run straight on the serving better-sqlite3
 * connection, with Kysely's lock on that connection held meanwhile, so no Kysely transaction
 * can be open or begin during them: a batch of token rows or rate-limit hits as one synchronous
 * transaction (`writeDirectly`), and a batch of grants (refresh, code exchange) as one
 * transaction whose precompiled statements run here (`inDirectSession`). Through
 * Kysely every statement was a chain of promises and objects: for the one-row statements of
 * these batches, more CPU than SQLite spent on them.
 */
export class SqliteWriter {
  readonly db: Kysely<Database>;
  readonly #connection: SQLite.Database;
  readonly #statements = new Map<string, SQLite.Statement | RowsOf>();

  constructor(db: Kysely<Database>, connection: SQLite.Database) {
    this.db = db;
    this.#connection = connection;
  }

  /** A SELECT as a function returning its rows (src/store/sqlite-rows.ts); any other statement prepared. */
  #prepared(sql: string): SQLite.Statement | RowsOf {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      const prepared = this.#connection.prepare(sql);
      statement = prepared.reader ? rowsOf(prepared) : prepared;
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs one statement (prepared once per SQL text); its rows, or for a write the rows it changed, as Kysely reports them. */
  query<R>(sql: string, parameters: readonly unknown[]): QueryResult<R> {
    const statement = this.#prepared(sql);
    if (typeof statement === "function") return { rows: statement<R>(parameters) };
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  get inTransaction(): boolean {
    return this.#connection.inTransaction;
  }

  #totalChanges: SQLite.Statement | undefined;

  /** Rows inserted, updated or deleted on this connection since it opened, triggers included: whether a work wrote anything. */
  totalChanges(): number {
    this.#totalChanges ??= this.#connection.prepare("select total_changes()").pluck();
    return this.#totalChanges.get() as number;
  }

  /** `work` inside BEGIN IMMEDIATE (taken without blocking: src/store/sqlite-write-lock.ts) … COMMIT; a throw rolls the whole of it back and is rethrown. */
  async transaction<T>(work: (writer: SqliteWriter) => T | Promise<T>): Promise<T> {
    await beginImmediate(this.#connection);
    try {
      const result = await work(this);
      this.query("commit", []);
      return result;
    } catch (error) {
      if (this.inTransaction) this.query("rollback", []);
      throw error;
    }
  }
}

const writers = new WeakMap<Kysely<Database>, SqliteWriter>();

export function attachWriter(db: Kysely<Database>, connection: SQLite.Database): void {
  writers.set(db, new SqliteWriter(db, connection));
}

/** Whether `db` is an SQLite database whose grouped writes can go through `writeDirectly`. */
export function hasWriter(db: Kysely<Database>): boolean {
  return writers.has(db);
}

const sessions = new WeakMap<Kysely<Database>, SqliteWriter>();

/** The writer behind `db` when `db` is the connection held by `inDirectSession`: precompiled statements on it run at once. */
export function sessionOf(db: Kysely<Database>): SqliteWriter | undefined {
  return sessions.get(db);
}

/**
 * Holds `db`'s SQLite connection (Kysely's lock) while `work` runs with it: `connection` is a
 * Kysely bound to that connection, for the work's own queries, and `writer` runs statements on
 * it directly (transaction control, precompiled statements). Nothing else writes meanwhile.
 */
export function inDirectSession<T>(db: Kysely<Database>, work: (connection: Kysely<Database>, writer: SqliteWriter) => Promise<T>): Promise<T> {
  const writer = writers.get(db);
  if (!writer) return Promise.reject(new Error("a direct SQLite write needs a database opened by openSqlite"));
  return db.connection().execute(async (connection) => {
    sessions.set(connection, writer);
    try {
      return await work(connection, writer);
    } finally {
      sessions.delete(connection);
    }
  });
}

/** Runs `work` in one transaction on `db`'s SQLite connection, once Kysely has none in progress. */
export function writeDirectly<T>(db: Kysely<Database>, work: (writer: SqliteWriter) => T): Promise<T> {
  return inDirectSession(db, (_connection, writer) => writer.transaction(work));
}
