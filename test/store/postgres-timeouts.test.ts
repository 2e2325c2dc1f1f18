import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { isStoreUnavailable } from "../../src/store/availability.ts";
import { openPostgres } from "../../src/store/database.ts";

const databaseUrl = process.env.DATABASE_URL;

describe("PostgreSQL connections carry the query timeout to the server", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, () => {
  const setting = async (options: Parameters<typeof openPostgres>[1]) => {
    const store = openPostgres(databaseUrl!, options);
    try {
      return (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(store.db)).rows[0]!.statement_timeout;
    } finally {
      await store.close();
    }
  };

  test("a query this side stops waiting for is stopped by the server too; a migration's connection has no limit", async () => {
    assert.equal(await setting({ timeoutMs: 1234 }), "1234ms");
    assert.equal(await setting({ timeoutMs: 1234, queryTimeoutMs: 0 }), "0");
  });

  test("the server ends a statement past the limit, so it holds no backend after the 503", async () => {
    const store = openPostgres(databaseUrl!, { timeoutMs: 300 });
    try {
      // The server cancels it (57014, a 503 in a request), and the connection it ran on stays good.
      await assert.rejects(sql`select pg_sleep(5)`.execute(store.db), (error: Error & { code?: string }) => error.code === "57014" && isStoreUnavailable(error));
      const left = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(5)%' and state = 'active'`.execute(store.db);
      assert.equal(left.rows[0]!.n, 0);
    } finally {
      await store.close();
    }
  });
});
