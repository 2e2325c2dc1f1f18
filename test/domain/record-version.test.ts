import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertVersion, formVersion, ifMatchVersions, MalformedPreconditionError, StaleRecordError } from "../../src/domain/record-version.ts";

describe("record versions: If-Match (RFC 9110 §13.1.1) and the forms' hidden sys_mod_count", () => {
  test("no header or * sets no condition; tags are compared strongly, character for character", () => {
    assert.equal(ifMatchVersions(undefined), undefined);
    assert.equal(ifMatchVersions(" * "), undefined);
    assert.deepEqual(ifMatchVersions('"3"'), [3]);
    assert.deepEqual(ifMatchVersions('"1", "2"'), [1, 2]);
    assert.deepEqual(ifMatchVersions('W/"3"'), [], "a weak tag never matches under strong comparison");
    assert.deepEqual(ifMatchVersions('"03"'), [], "not the tag this server sent for version 3");
    assert.deepEqual(ifMatchVersions('"a,b", "5"'), [5], "a comma inside a tag is part of it");
    assert.deepEqual(ifMatchVersions('"1",, "2",'), [1, 2], "empty list elements are ignored (§5.6.1.2)");
    assert.deepEqual(ifMatchVersions(""), [], "an empty list matches nothing");
  });

  test("anything else is malformed, not a silent match", () => {
    for (const header of ["3", '"3" "4"', '"unterminated', "W/3", '"3";q=1'])
      assert.throws(() => ifMatchVersions(header), MalformedPreconditionError, header);
  });

  test("a form's version: a missing field (a page drawn before forms carried one) sets no condition; an altered one matches nothing", () => {
    assert.deepEqual(formVersion("7"), [7]);
    assert.equal(formVersion(null), undefined);
    for (const value of ["", "-1", "1.5", "x", " 7", "07", "9".repeat(16)]) assert.deepEqual(formVersion(value), [], value);
  });

  test("assertVersion refuses a record at another version and says who saved it when", () => {
    const current = { modCount: 4, updatedBy: "alice", updatedOn: "2026-12-06 04:00:00" };
    assertVersion(current, undefined);
    assertVersion(current, [3, 4]);
    assert.throws(() => assertVersion(current, [3]), (error: unknown) => error instanceof StaleRecordError && error.current === current && /version 4, saved by alice at 2026-12-06 04:00:00/.test(error.message));
  });
});
