import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Kysely } from "kysely";
import { precompiled } from "../../src/store/precompiled-query.ts";
import type { Database } from "../../src/store/schema.ts";
import { SqliteWriter } from "../../src/store/sqlite-writer.ts";
import { sqliteWriteTurn } from "../../src/store/sqlite-write-turn.ts";
import { whileAnotherConnectionWrites } from "../support/held-write-lock.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

const bucketCount = precompiled((db: Kysely<Database>, bucket: string) => db.selectFrom("rate_limit").select("count").where("bucket", "=", bucket));
const insertBucket = precompiled((db: Kysely<Database>, bucket: string, count: number) => db.insertInto("rate_limit").values({ bucket, window_start: 7, count }));
const counts = async (db: Kysely<Database>, bucket: string) => (await bucketCount(db, bucket)).rows.map((r) => Number(r.count));

/** Two kinds of grouped write, as the rate-limit hits and the token rows are: each inserts its items as buckets. */
const kindA = sqliteWriteTurn((writer, buckets: string[]) => buckets.map((bucket) => (insertBucket.now(writer, bucket, 1), `a:${bucket}`)));
const kindB = sqliteWriteTurn((writer, buckets: string[]) => buckets.map((bucket) => (insertBucket.now(writer, bucket, 2), `b:${bucket}`)));

/** How many transactions the writer began while `work` ran. */
async function transactionsDuring(work: () => Promise<unknown>): Promise<number> {
  const original = SqliteWriter.prototype.transaction;
  let begun = 0;
  SqliteWriter.prototype.transaction = function (this: SqliteWriter, ...args: Parameters<typeof original>) {
    begun++;
    return original.apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    SqliteWriter.prototype.transaction = original;
  }
  return begun;
}

describe("SQLite: the grouped writes of one turn in one transaction", () => {
  const opened = migratedStore(dialectsUnderTest()[0]!);

  test("two kinds gathered in one turn share one commit, and each caller gets its own result", async () => {
    const { store } = opened;
    let results: string[] = [];
    const begun = await transactionsDuring(async () => {
      results = await Promise.all([kindA(store, "t1"), kindB(store, "t2"), kindA(store, "t3"), kindB(store, "t4")]);
    });
    assert.equal(begun, 1);
    assert.deepEqual(results, ["a:t1", "b:t2", "a:t3", "b:t4"]);
    assert.deepEqual([await counts(store.db, "t1"), await counts(store.db, "t2"), await counts(store.db, "t3"), await counts(store.db, "t4")], [[1], [2], [1], [2]]);
  });

  test("a kind whose items fail together is written item by item: only the bad item fails, the other kind commits", async () => {
    const { store } = opened;
    const settled = await Promise.allSettled([kindA(store, "u1"), kindA(store, "u1"), kindA(store, "u2"), kindB(store, "u3")]);
    assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    assert.match(String((settled[1] as PromiseRejectedResult).reason), /UNIQUE constraint failed/);
    assert.deepEqual([await counts(store.db, "u1"), await counts(store.db, "u2"), await counts(store.db, "u3")], [[1], [1], [2]]);
  });

  test("items arriving while a turn waits for the lock gather into one next turn, and both commit once the lock is free", async () => {
    const { store } = opened;
    await whileAnotherConnectionWrites(store, {}, async (other) => {
      let later: Promise<string[]> = Promise.resolve([]);
      const begun = await transactionsDuring(async () => {
        const first = Promise.all([kindA(store, "w1"), kindB(store, "w2")]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        // Several turns' items while the first turn waits: they gather into one next turn, not one transaction each.
        const arriving: Promise<string>[] = [];
        for (const bucket of ["w3", "w4", "w5", "w6"]) {
          arriving.push(bucket === "w4" ? kindB(store, bucket) : kindA(store, bucket));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        later = Promise.all(arriving);
        assert.deepEqual(await counts(store.db, "w1"), [], "nothing written while the lock is held");
        other.exec("commit");
        assert.deepEqual([...(await first), ...(await later)], ["a:w1", "b:w2", "a:w3", "b:w4", "a:w5", "a:w6"]);
      });
      assert.equal(begun, 2);
      assert.deepEqual([await counts(store.db, "w1"), await counts(store.db, "w4")], [[1], [2]]);
    });
  });

  test("a turn that cannot have the lock within busy_timeout fails every caller and keeps nothing", async () => {
    const { store } = opened;
    await whileAnotherConnectionWrites(store, { busyTimeoutMs: 100 }, async (other) => {
      let settled: PromiseSettledResult<string>[] = [];
      // One attempt: items are not tried again one by one, each waiting out busy_timeout anew.
      const begun = await transactionsDuring(async () => {
        settled = await Promise.allSettled([kindA(store, "x1"), kindB(store, "x2"), kindA(store, "x3")]);
      });
      assert.equal(begun, 1);
      assert.deepEqual(settled.map((s) => s.status === "rejected" && (s.reason as { code?: string }).code), ["SQLITE_BUSY", "SQLITE_BUSY", "SQLITE_BUSY"]);
      other.exec("rollback");
      assert.deepEqual([await counts(store.db, "x1"), await counts(store.db, "x2")], [[], []]);
      assert.deepEqual(await Promise.all([kindA(store, "x1"), kindB(store, "x2")]), ["a:x1", "b:x2"]);
    });
  });
});
