import { PGlite, types } from "@electric-sql/pglite";
import { PostgresDialect } from "kysely";

/**
 * Lets Kysely's PostgresDialect drive an embedded PGlite: a pool of one connection, handed
 * out one holder at a time because PGlite runs a single session.
 */
export function pgliteDialect(pglite: PGlite): PostgresDialect {
  let queue: Promise<void> = Promise.resolve();
  const client = {
    async query(sql: string, parameters: unknown[]) {
      const result = await pglite.query(sql, parameters, { parsers: { [types.INT8]: (v: string) => Number(v) } });
      const command = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
      return { rows: result.rows, rowCount: result.affectedRows ?? 0, command };
    },
    release() {},
  };
  const pool = {
    connect() {
      let release!: () => void;
      const previous = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      return previous.then(() => ({ ...client, release }));
    },
    async end() {},
  };
  return new PostgresDialect({ pool: pool as never });
}
