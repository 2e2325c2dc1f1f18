import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { coerceValue, type FieldDef } from "../../src/domain/dictionary.ts";

const when: FieldDef = { name: "u_when", label: "When", type: "glide_date_time" };

describe("glide_date_time values", () => {
  test("a date-time that exists is kept as given, leap days included", () => {
    for (const text of ["2026-02-28 23:59:59", "2024-02-29 00:00:00", "2000-02-29 12:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59"]) assert.deepEqual(coerceValue(when, text), { ok: true, value: text });
  });

  test("one that does not exist is refused, not rolled over into the next month or day", () => {
    for (const text of ["2026-02-29 10:00:00", "1900-02-29 10:00:00", "2026-02-30 10:00:00", "2026-04-31 00:00:00", "2026-13-01 00:00:00", "2026-00-10 00:00:00", "2026-01-00 00:00:00", "2026-01-01 24:00:00", "2026-01-01 23:60:00", "2026-01-01 23:59:60", "2026-1-01 00:00:00"]) {
      const coerced = coerceValue(when, text);
      assert.equal(coerced.ok, false, text);
    }
  });
});
