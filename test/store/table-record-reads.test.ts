import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { systemTables } from "../../src/domain/system-tables.ts";
import { getRecord, insertRecord, listRecords } from "../../src/store/table-record-store.ts";
import { parseEncodedQuery } from "../../src/domain/encoded-query.ts";
import { newSystemFields } from "../../src/store/system-fields.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

const users = systemTables.get("sys_user")!;
const columns = ["sys_id", "user_name", "name", "email", "active", "sys_mod_count", "sys_updated_by", "sys_created_by", "sys_updated_on", "sys_created_on"];
const query = (text: string) => parseEncodedQuery(text, { now: new Date() });

for (const dialect of dialectsUnderTest()) {
  describe(`Table API record reads on ${dialect.name}`, () => {
    const opened = migratedStore(dialect);

    test("a single-record read answers for every column list a client can ask, past the bound on remembered statements", async () => {
      const db = opened.store.db;
      const row = await insertRecord(db, users, { user_name: "reads.one", name: "Reads One", email: "one@example.test", active: 1 }, { actor: "test", mayRead: () => true });
      // Every non-empty subset of the ten columns, in two orders: 2 × 1023 distinct lists.
      for (let mask = 1; mask < 1 << columns.length; mask++) {
        const chosen = columns.filter((_, i) => mask & (1 << i));
        for (const list of [chosen, [...chosen].reverse()]) {
          const read = await getRecord(db, users, row.sys_id as string, list);
          assert.deepEqual(Object.keys(read!).sort(), [...list].sort());
          if (list.includes("user_name")) assert.equal(read!.user_name, "reads.one");
        }
      }
      assert.equal(await getRecord(db, users, "0".repeat(32), ["sys_id"]), undefined);
    });

    test("a list read and its count outside a transaction see what is committed, and at once", async () => {
      const db = opened.store.db;
      await insertRecord(db, users, { user_name: "reads.two", name: "Reads Two", active: 1 }, { actor: "test", mayRead: () => true });
      const list = () => listRecords(db, { table: users, columns: ["sys_id", "user_name"], query: query("user_nameSTARTSWITHreads.t"), limit: 10, offset: 0, count: true });
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("sys_user").values({ user_name: "reads.three", name: "Reads Three", active: 1, ...newSystemFields("test") } as never).execute();
        if (dialect.name === "sqlite") {
          // On SQLite a read through Kysely would wait for the transaction that holds the one connection.
          const outside = await Promise.race([list(), new Promise((resolve) => setTimeout(() => resolve("waited for the writer"), 2000))]);
          const seen = outside as Awaited<ReturnType<typeof list>>;
          assert.deepEqual([seen.rows?.map((r) => r.user_name), seen.total], [["reads.two"], 1], "not the uncommitted record, and without waiting");
        }
      });
      const after = await list();
      assert.deepEqual(after.rows.map((r) => r.user_name).sort(), ["reads.three", "reads.two"]);
      assert.equal(after.total, 2);
    });
  });
}
