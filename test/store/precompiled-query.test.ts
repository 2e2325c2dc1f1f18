import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Kysely } from "kysely";
import { precompiled } from "../../src/store/precompiled-query.ts";
import type { Database } from "../../src/store/schema.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

const bucketCount = precompiled((db: Kysely<Database>, bucket: string, windowStart: number) =>
  db.selectFrom("rate_limit").select("count").where("bucket", "=", bucket).where("window_start", "=", windowStart).where("count", ">", 0),
);
const insertBucket = precompiled((db: Kysely<Database>, bucket: string, count: number) => db.insertInto("rate_limit").values({ bucket, window_start: 7, count }));

for (const dialect of dialectsUnderTest()) {
  describe(`precompiled queries on ${dialect.name}`, () => {
    const opened = migratedStore(dialect);

    test("each call binds its own values; the query's own constants stay", async () => {
      await insertBucket(opened.store.db, "a", 3);
      await insertBucket(opened.store.db, "b", 0);
      assert.deepEqual((await bucketCount(opened.store.db, "a", 7)).rows.map((r) => Number(r.count)), [3]);
      assert.deepEqual((await bucketCount(opened.store.db, "a", 8)).rows, []);
      // "count > 0" is the query's own constant: b's row is there but does not match.
      assert.deepEqual((await bucketCount(opened.store.db, "b", 7)).rows, []);
    });

    test("runs inside a transaction and sees its uncommitted rows", async () => {
      await assert.rejects(
        opened.store.db.transaction().execute(async (trx) => {
          await insertBucket(trx, "c", 5);
          assert.deepEqual((await bucketCount(trx, "c", 7)).rows.map((r) => Number(r.count)), [5]);
          throw new Error("roll back");
        }),
        /roll back/,
      );
      assert.deepEqual((await bucketCount(opened.store.db, "c", 7)).rows, []);
    });

    test("a value that is not a bound parameter is refused when the query is first compiled", async () => {
      const misuse = precompiled((db: Kysely<Database>, column: string) => db.selectFrom("rate_limit").select(column as "count"));
      await assert.rejects(async () => misuse(opened.store.db, "count"), /every argument must be a bound value/);
    });
  });
}
