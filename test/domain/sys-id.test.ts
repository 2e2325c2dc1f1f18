import assert from "node:assert/strict";
import { test } from "node:test";
import { glideDateTime, newSysId, sysIdPattern } from "../../src/domain/sys-id.ts";

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

test("glideDateTime formats each instant in UTC, whatever second was formatted before it", () => {
  const t = Date.UTC(2026, 10, 24, 23, 59, 59, 999);
  assert.equal(glideDateTime(t), "2026-11-24 23:59:59");
  assert.equal(glideDateTime(t - 998), "2026-11-24 23:59:59");
  assert.equal(glideDateTime(t + 1), "2026-11-25 00:00:00");
  assert.equal(glideDateTime(t), "2026-11-24 23:59:59");
  assert.equal(glideDateTime(-1), "1969-12-31 23:59:59");
  assert.equal(glideDateTime(0), "1970-01-01 00:00:00");
  assert.throws(() => glideDateTime(Number.NaN), RangeError);
});
