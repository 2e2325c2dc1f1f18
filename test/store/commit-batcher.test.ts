import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { commitBatcher } from "../../src/store/commit-batcher.ts";
import type { Store } from "../../src/store/database.ts";

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("commit batches", () => {
  test("items of one turn go together; items arriving while a flush runs wait and go together in the next", async () => {
    const flushes: number[][] = [];
    let release!: () => void;
    const add = commitBatcher<number>(async (_store, items) => {
      flushes.push(items);
      if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const store = {} as Store;
    add(store, 1);
    add(store, 2);
    await turn();
    assert.deepEqual(flushes, [[1, 2]]);
    // The first flush is still running: these three turns gather into one batch instead of three transactions.
    add(store, 3);
    await turn();
    add(store, 4);
    await turn();
    add(store, 5);
    await turn();
    assert.equal(flushes.length, 1);
    release();
    await turn();
    await turn();
    assert.deepEqual(flushes, [[1, 2], [3, 4, 5]]);
  });

  test("each store has its own batches", async () => {
    const seen: string[] = [];
    const add = commitBatcher<string>(async (_store, items) => void seen.push(items.join(",")));
    const a = {} as Store;
    const b = {} as Store;
    add(a, "a1");
    add(b, "b1");
    add(a, "a2");
    await turn();
    assert.deepEqual(seen.sort(), ["a1,a2", "b1"]);
  });
});
