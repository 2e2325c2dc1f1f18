import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { sql } from "kysely";
import { openSqlite } from "../../src/store/database.ts";
import { tempDir } from "../support/stores.ts";

describe("WAL checkpoints on a worker thread (SQLite)", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fill = async (file: string, background: boolean) => {
    const store = openSqlite(file);
    if (background) store.checkpointInBackground!();
    await sql`create table filler (x blob)`.execute(store.db);
    const before = fs.statSync(file).size;
    // About 500 pages: under the 1 000 at which the serving connection checkpoints by itself.
    for (let i = 0; i < 20; i++) await sql`insert into filler values (randomblob(100000))`.execute(store.db);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const grown = fs.statSync(file).size - before;
    await store.close();
    return grown;
  };

  test("pages written to the WAL reach the database file without the serving connection checkpointing", async () => {
    assert.equal(await fill(path.join(dir, "plain.sqlite"), false), 0, "without the thread, nothing is checkpointed below the threshold");
    assert.ok((await fill(path.join(dir, "background.sqlite"), true)) >= 1_900_000, "the worker copied the pages into the database file");
  });

  test("closing the store runs a last checkpoint and leaves no WAL behind", async () => {
    const file = path.join(dir, "closed.sqlite");
    const store = openSqlite(file);
    store.checkpointInBackground!();
    await sql`create table t (x integer)`.execute(store.db);
    await sql`insert into t values (1)`.execute(store.db);
    await store.close();
    assert.equal(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0, 0);
    const reopened = openSqlite(file);
    assert.deepEqual((await sql<{ x: number }>`select x from t`.execute(reopened.db)).rows, [{ x: 1 }]);
    await reopened.close();
  });
});
