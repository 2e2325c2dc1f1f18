import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { editDistance, nearest } from "../../src/domain/edit-distance.ts";

describe("edit distance for did-you-mean suggestions", () => {
  test("counts insertions, deletions and substitutions; a swap of two letters is two", () => {
    assert.equal(editDistance("sysparm_query", "sysparm_query", 2), 0);
    assert.equal(editDistance("sysparm_limt", "sysparm_limit", 2), 1);
    assert.equal(editDistance("sysparm_qeury", "sysparm_query", 2), 2);
    assert.equal(editDistance("", "ab", 2), 2);
  });

  test("stops past the limit, so a long name costs no more than a near one", () => {
    assert.equal(editDistance("sysparm_frobnicate", "sysparm_query", 2), 3);
    assert.equal(editDistance("x".repeat(100_000), "sysparm_query", 2), 3);
  });

  test("nearest is the closest candidate within the limit, the earlier on a tie, else none", () => {
    assert.equal(nearest("sysparm_feilds", ["sysparm_query", "sysparm_fields"], 2), "sysparm_fields");
    assert.equal(nearest("sysparm_viex", ["sysparm_view", "sysparm_viey"], 2), "sysparm_view");
    assert.equal(nearest("sysparm_frobnicate", ["sysparm_query", "sysparm_fields"], 2), undefined);
  });
});
