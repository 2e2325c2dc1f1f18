import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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

describe("sha256", () => {
  test("is SHA-256 in lower-case hex of the UTF-8 bytes (FIPS 180-2 vectors, and a non-ASCII value)", () => {
    assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(sha256("한"), createHash("sha256").update(Buffer.from("한", "utf8")).digest("hex"));
  });
});
