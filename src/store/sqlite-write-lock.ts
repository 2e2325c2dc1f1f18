import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import type SQLite from "better-sqlite3";
import { type DatabaseConnection, type Driver, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from "kysely";

interface Statements {
  timeout: SQLite.Statement;
  noWait: SQLite.Statement;
  begin: SQLite.Statement;
  restore: Map<number, SQLite.Statement>;
}

const prepared = new WeakMap<SQLite.Database, Statements>();

function statementsOf(connection: SQLite.Database): Statements {
  let statements = prepared.get(connection);
  if (!statements) {
    statements = {
      timeout: connection.prepare("pragma busy_timeout").pluck(),
      noWait: connection.prepare("pragma busy_timeout = 0"),
      begin: connection.prepare("begin immediate"),
      restore: new Map(),
    };
    prepared.set(connection, statements);
  }
  return statements;
}

/**
 * BEGIN IMMEDIATE, waiting for the write lock without blocking the event loop.
 *
 * Immediate, because with several processes on one file (`--workers`) a deferred transaction
 * that reads and then writes can fail with SQLITE_BUSY_SNAPSHOT instead of waiting for the lock.
 * Not in SQLite's busy handler, because that sleeps inside the call (1, 2, 5, 10 … ms) while
 * another connection holds the lock: each `--workers` process stood still for its neighbour's
 * commits, and a CLI command writing beside the server stopped it for as long. Here each
 * attempt fails at once and the retries wait on the event loop, so the process keeps reading
 * and answering meanwhile; after the connection's busy_timeout the SQLITE_BUSY error is thrown (a 503, see
 * src/store/availability.ts).
 */
export async function beginImmediate(connection: SQLite.Database): Promise<void> {
  const statements = statementsOf(connection);
  const timeout = statements.timeout.get() as number;
  const deadline = Date.now() + timeout;
  // A neighbour's commit takes well under a millisecond, and a timer waits at least one: for the
  // first 2 ms each retry waits only for the next turn of the event loop (after its I/O).
  const retryEveryTurnUntil = performance.now() + 2;
  for (;;) {
    const busy = tryBegin(connection, statements, timeout);
    if (busy === undefined) return;
    if (Date.now() >= deadline) throw busy;
    await (performance.now() < retryEveryTurnUntil ? nextTurn() : sleep(1));
  }
}

/** One attempt at the write lock: undefined when taken, the SQLITE_BUSY error when another connection holds it. */
function tryBegin(connection: SQLite.Database, statements: Statements, timeout: number): Error | undefined {
  let restore = statements.restore.get(timeout);
  if (!restore) statements.restore.set(timeout, (restore = connection.prepare(`pragma busy_timeout = ${Math.trunc(timeout)}`)));
  statements.noWait.get();
  try {
    statements.begin.run();
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === "SQLITE_BUSY") return error as Error;
    throw error;
  } finally {
    restore.get();
  }
}

/** Kysely's SQLite driver, its transactions begun by `beginImmediate`. */
class ImmediateBeginDriver extends SqliteDriver {
  readonly #connection: SQLite.Database;

  constructor(config: SqliteDialectConfig, connection: SQLite.Database) {
    super(config);
    this.#connection = connection;
  }

  override async beginTransaction(_connection: DatabaseConnection): Promise<void> {
    await beginImmediate(this.#connection);
  }
}

/** Kysely's SQLite dialect over `connection` (as `config.database` presents it), every transaction begun by `beginImmediate`. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #connection: SQLite.Database;

  constructor(config: SqliteDialectConfig, connection: SQLite.Database) {
    super(config);
    this.#config = config;
    this.#connection = connection;
  }

  override createDriver(): Driver {
    return new ImmediateBeginDriver(this.#config, this.#connection);
  }
}
