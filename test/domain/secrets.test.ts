import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { constantTimeEqual, newSecret, sha256 } from "../../src/domain/secrets.ts";

describe("constant-time comparison", () => {
  test("equal strings are equal, whatever their length", () => {
    const hash = sha256("x");
    assert.equal(constantTimeEqual(hash, sha256("x")), true);
    assert.equal(constantTimeEqual("", ""), true);
    assert.equal(constantTimeEqual("한국어", "한국어"), true);
  });

  test("one differing character, a different length, or the same length in other bytes are unequal", () => {
    const secret = newSecret();
    assert.equal(constantTimeEqual(secret, `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`), false);
    assert.equal(constantTimeEqual(secret, `${secret}A`), false);
    assert.equal(constantTimeEqual(secret, ""), false);
    assert.equal(constantTimeEqual("é", "e"), false);
    assert.equal(constantTimeEqual("ée", "eé"), false);
  });
});
