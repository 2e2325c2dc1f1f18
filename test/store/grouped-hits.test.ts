import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { openSqlite } from "../../src/store/database.ts";
import { countHitGrouped } from "../../src/store/grouped-hits.ts";
import { migrateToLatest } from "../../src/store/migrate.ts";
import { currentHits } from "../../src/store/rate-limit-store.ts";
import { dialectsUnderTest, migratedStore, tempDir } from "../support/stores.ts";

const minute = 60_000;
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

for (const dialect of dialectsUnderTest()) {
  describe(`rate-limit hits counted in groups on ${dialect.name}`, () => {
    const opened = migratedStore(dialect);

    test("flushes in flight together lock their buckets in one order, so PostgreSQL never finds a deadlock", async () => {
      const now = Date.now();
      const calls: Promise<number>[] = [];
      for (let i = 0; i < 200; i++) {
        // Alternate the order the two buckets arrive in, and let each pair's flush get under way before the next pair.
        for (const bucket of i % 2 ? ["lock-x", "lock-y"] : ["lock-y", "lock-x"]) calls.push(countHitGrouped(opened.store, bucket, minute, now));
        await new Promise((resolve) => setTimeout(resolve, i % 3));
      }
      await Promise.all(calls);
      assert.equal(await currentHits(opened.store.db, "lock-x", minute, now), 200);
      assert.equal(await currentHits(opened.store.db, "lock-y", minute, now), 200);
    });

    test("hits of one turn share a commit, and each caller still gets its own count", async () => {
      const now = Date.now();
      const counts = await Promise.all(range(120).map(() => countHitGrouped(opened.store, "a", minute, now)));
      assert.deepEqual([...counts].sort((x, y) => x - y), range(120));
      const more = await Promise.all([countHitGrouped(opened.store, "a", minute, now), countHitGrouped(opened.store, "b", minute, now)]);
      assert.deepEqual(more, [121, 1]);
      assert.equal(await currentHits(opened.store.db, "a", minute, now), 121);
    });

    test("a new window starts over, even when hits of the old and the new window share a batch", async () => {
      const start = Math.floor(Date.now() / minute) * minute;
      const counts = await Promise.all([
        countHitGrouped(opened.store, "w", minute, start + minute + 1),
        countHitGrouped(opened.store, "w", minute, start + 10),
        countHitGrouped(opened.store, "w", minute, start + 20),
      ]);
      assert.deepEqual(counts, [1, 1, 2]);
      assert.equal(await currentHits(opened.store.db, "w", minute, start + minute + 5), 1);
    });

    test("a hit of an older window counted late (a retried batch) counts in the newer window and never moves it back", async () => {
      const start = Math.floor(Date.now() / minute) * minute;
      assert.equal(await countHitGrouped(opened.store, "late", minute, start + minute + 1), 1);
      assert.equal(await countHitGrouped(opened.store, "late", minute, start + 10), 2);
      assert.equal(await currentHits(opened.store.db, "late", minute, start + minute + 5), 2);
    });
  });
}

describe("rate-limit hits counted in groups by two nodes on one SQLite file", () => {
  test("the counts handed out over both nodes are 1…n, none lost or repeated", async () => {
    const file = path.join(tempDir(), "portcullis.sqlite");
    const nodes = [openSqlite(file), openSqlite(file)];
    try {
      await migrateToLatest(nodes[0]!);
      const now = Date.now();
      const rounds = await Promise.all(range(5).map(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return Promise.all(range(40).map((i) => countHitGrouped(nodes[i % 2]!, "shared", minute, now)));
      }));
      assert.deepEqual(rounds.flat().sort((x, y) => x - y), range(200));
    } finally {
      for (const node of nodes) await node.close();
    }
  });
});
