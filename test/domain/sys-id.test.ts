import assert from "node:assert/strict";
import { test } from "node:test";
import { newSysId, sysIdPattern } from "../../src/domain/sys-id.ts";

test("sys_ids are 32 lowercase hex, unique, and sort by creation time", () => {
  const ids = Array.from({ length: 1000 }, () => newSysId());
  assert.ok(ids.every((id) => sysIdPattern.test(id)));
  assert.equal(new Set(ids).size, ids.length);
  const earlier = newSysId(Date.UTC(2026, 0, 1));
  const later = newSysId(Date.UTC(2026, 0, 1) + 1);
  assert.ok(earlier < later);
  assert.equal(earlier.slice(0, 12), Date.UTC(2026, 0, 1).toString(16).padStart(12, "0"));
  // Within one millisecond only the random part differs: 80 bits of it.
  const sameMs = new Set(Array.from({ length: 100 }, () => newSysId(0).slice(12)));
  assert.equal(sameMs.size, 100);
});
