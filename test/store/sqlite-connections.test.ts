import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Kysely, sql } from "kysely";
import { precompiled } from "../../src/store/precompiled-query.ts";
import type { Database } from "../../src/store/schema.ts";
import { readerOf } from "../../src/store/sqlite-reader.ts";
import { writeDirectly } from "../../src/store/sqlite-writer.ts";
import { inGroupedTransaction } from "../../src/store/grouped-transaction.ts";
import { whileAnotherConnectionWrites } from "../support/held-write-lock.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

const bucketCount = precompiled((db: Kysely<Database>, bucket: string) => db.selectFrom("rate_limit").select("count").where("bucket", "=", bucket));
const insertBucket = precompiled((db: Kysely<Database>, bucket: string, count: number) => db.insertInto("rate_limit").values({ bucket, window_start: 7, count }));
const counts = async (db: Kysely<Database>, bucket: string) => (await bucketCount(db, bucket)).rows.map((r) => Number(r.count));

describe("SQLite: hot reads on a second connection, grouped writes straight on the first", () => {
  const opened = migratedStore(dialectsUnderTest()[0]!);

  test("a read outside a transaction sees what is committed and nothing uncommitted, without waiting for the writer", async () => {
    const db = opened.store.db;
    await db.transaction().execute(async (trx) => {
      await insertBucket(trx, "r", 5);
      assert.deepEqual(await counts(trx, "r"), [5], "inside the transaction its own row is seen");
      // Through Kysely this read would wait for the transaction that holds the connection.
      const outside = await Promise.race([counts(db, "r"), new Promise((resolve) => setTimeout(() => resolve("waited for the writer"), 2000))]);
      assert.deepEqual(outside, [], "outside it, not before the commit, and at once");
    });
    assert.deepEqual(await counts(db, "r"), [5], "and right after the commit");
  });

  test("a direct write waits for a Kysely transaction in progress, then commits after it", async () => {
    const db = opened.store.db;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const open = db.transaction().execute(async (trx) => {
      await insertBucket(trx, "w1", 1);
      await gate;
      order.push("kysely commits");
    });
    await new Promise((resolve) => setImmediate(resolve));
    const direct = writeDirectly(db, (writer) => {
      order.push("direct writes");
      insertBucket.now(writer, "w2", 2);
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(order, [], "nothing of the direct write ran while the transaction was open");
    release();
    await Promise.all([open, direct]);
    assert.deepEqual(order, ["kysely commits", "direct writes"]);
    assert.deepEqual([await counts(db, "w1"), await counts(db, "w2")], [[1], [2]]);
  });

  test("a direct write that throws keeps nothing and the error reaches the caller", async () => {
    const db = opened.store.db;
    await assert.rejects(
      writeDirectly(db, (writer) => {
        insertBucket.now(writer, "x1", 1);
        insertBucket.now(writer, "x1", 2);
      }),
      /UNIQUE constraint failed/,
    );
    assert.deepEqual(await counts(db, "x1"), []);
    // The connection is usable afterwards, through Kysely and directly.
    await insertBucket(db, "x2", 3);
    await writeDirectly(db, (writer) => insertBucket.now(writer, "x3", 4));
    assert.deepEqual([await counts(db, "x2"), await counts(db, "x3")], [[3], [4]]);
  });

  test("the second connection only reads", async () => {
    await insertBucket(opened.store.db, "kept", 1);
    assert.throws(() => readerOf(opened.store.db)!.all("delete from rate_limit returning count", []), /attempt to write a readonly database/);
    assert.deepEqual(await counts(opened.store.db, "kept"), [1]);
  });

  test("works grouped into one transaction: one that throws after writing is undone alone (the others run again, each alone), the others commit", async () => {
    const { store } = opened;
    const works = ["g1", "g2", "g3", "g4"].map((bucket, i) =>
      inGroupedTransaction(store, async (trx) => {
        await insertBucket(trx, bucket, i);
        // Each work sees its own write inside the shared transaction.
        assert.deepEqual(await counts(trx, bucket), [i]);
        if (bucket === "g3") throw new Error("g3 fails after its insert");
        return bucket;
      }),
    );
    const settled = await Promise.allSettled(works);
    assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    assert.match(String((settled[2] as PromiseRejectedResult).reason), /g3 fails/);
    assert.deepEqual([await counts(store.db, "g1"), await counts(store.db, "g2"), await counts(store.db, "g3"), await counts(store.db, "g4")], [[0], [1], [], [3]]);
  });

  test("a grouped work that throws before writing anything is set aside: the others commit together, each run once", async () => {
    const { store } = opened;
    const runs = new Map<string, number>();
    const work = (bucket: string, fails: boolean) =>
      inGroupedTransaction(store, async (trx) => {
        runs.set(bucket, (runs.get(bucket) ?? 0) + 1);
        if (fails) throw new Error(`${bucket} refused before writing`);
        await insertBucket(trx, bucket, 5);
      });
    const settled = await Promise.allSettled([work("k1", false), work("k2", true), work("k3", false)]);
    assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled"]);
    assert.deepEqual(Object.fromEntries(runs), { k1: 1, k2: 1, k3: 1 });
    assert.deepEqual([await counts(store.db, "k1"), await counts(store.db, "k2"), await counts(store.db, "k3")], [[5], [], [5]]);
  });

  test("a grouped work after which SQLite has no transaction (a stray ROLLBACK) fails alone; its neighbours commit once", async () => {
    const { store } = opened;
    const settled = await Promise.allSettled([
      inGroupedTransaction(store, (trx) => insertBucket(trx, "r1", 1)),
      inGroupedTransaction(store, async (trx) => {
        await insertBucket(trx, "r2", 2);
        await sql`rollback`.execute(trx);
      }),
      inGroupedTransaction(store, (trx) => insertBucket(trx, "r3", 3)),
    ]);
    assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled"]);
    assert.deepEqual([await counts(store.db, "r1"), await counts(store.db, "r2"), await counts(store.db, "r3")], [[1], [], [3]]);
  });

  test("a batch of grouped works that cannot have the lock within busy_timeout fails at once, every work unrun", async () => {
    const { store } = opened;
    await whileAnotherConnectionWrites(store, { busyTimeoutMs: 150 }, async (other) => {
      let runs = 0;
      const started = Date.now();
      const settled = await Promise.allSettled(["n1", "n2", "n3"].map((bucket) => inGroupedTransaction(store, (trx) => (runs++, insertBucket(trx, bucket, 1)))));
      const waited = Date.now() - started;
      assert.deepEqual(settled.map((s) => s.status === "rejected" && (s.reason as { code?: string }).code), ["SQLITE_BUSY", "SQLITE_BUSY", "SQLITE_BUSY"]);
      assert.equal(runs, 0);
      assert.ok(waited < 450, `one busy_timeout, not one per work (waited ${waited} ms)`);
    });
  });

  test("a grouped work alone that throws keeps nothing; a unique clash inside a batch fails only its work", async () => {
    const { store } = opened;
    await assert.rejects(
      inGroupedTransaction(store, async (trx) => {
        await insertBucket(trx, "h1", 1);
        throw new Error("alone");
      }),
      /alone/,
    );
    assert.deepEqual(await counts(store.db, "h1"), []);
    const [first, clash] = await Promise.allSettled([
      inGroupedTransaction(store, (trx) => insertBucket(trx, "h2", 1)),
      inGroupedTransaction(store, (trx) => insertBucket(trx, "h2", 2)),
    ]);
    assert.equal(first.status, "fulfilled");
    assert.match(String((clash as PromiseRejectedResult).reason), /UNIQUE constraint failed/);
    assert.deepEqual(await counts(store.db, "h2"), [1]);
  });

  test("while another connection holds the write lock, direct, grouped and Kysely writes wait without blocking the event loop, then commit", async () => {
    const { store } = opened;
    await whileAnotherConnectionWrites(store, {}, async (other) => {
      other.prepare("insert into rate_limit (bucket, window_start, count) values ('lock', 7, 1)").run();
      const order: string[] = [];
      const direct = writeDirectly(store.db, (writer) => void insertBucket.now(writer, "d1", 1)).then(() => order.push("direct"));
      const grouped = inGroupedTransaction(store, (trx) => insertBucket(trx, "d2", 2)).then(() => order.push("grouped"));
      const kysely = store.db.transaction().execute((trx) => insertBucket(trx, "d3", 3)).then(() => order.push("kysely"));
      // SQLite's own busy handler would sleep inside the call, and this timer would wait for it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push("timer");
      assert.deepEqual([await counts(store.db, "d1"), await counts(store.db, "d2"), await counts(store.db, "d3")], [[], [], []], "nothing written before the lock is free");
      other.exec("commit");
      await Promise.all([direct, grouped, kysely]);
      assert.equal(order[0], "timer");
      assert.deepEqual(order.slice(1).sort(), ["direct", "grouped", "kysely"]);
      assert.deepEqual([await counts(store.db, "lock"), await counts(store.db, "d1"), await counts(store.db, "d2"), await counts(store.db, "d3")], [[1], [1], [2], [3]]);
    });
  });

  test("a write lock held past busy_timeout: SQLITE_BUSY reaches the caller, nothing is kept, the timeout is restored", async () => {
    const { store } = opened;
    await whileAnotherConnectionWrites(store, { busyTimeoutMs: 150 }, async (other) => {
      const started = Date.now();
      await assert.rejects(writeDirectly(store.db, (writer) => void insertBucket.now(writer, "b1", 1)), (error: { code?: string }) => error.code === "SQLITE_BUSY");
      assert.ok(Date.now() - started >= 140, "it waited for the busy timeout");
      other.exec("rollback");
      assert.deepEqual(await counts(store.db, "b1"), []);
      assert.deepEqual((await sql<{ timeout: number }>`pragma busy_timeout`.execute(store.db)).rows, [{ timeout: 150 }]);
      await writeDirectly(store.db, (writer) => void insertBucket.now(writer, "b2", 2));
      assert.deepEqual(await counts(store.db, "b2"), [2]);
    });
  });
});
