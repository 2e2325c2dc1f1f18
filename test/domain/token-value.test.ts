import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newSecret, sha256 } from "../../src/domain/secrets.ts";
import { newSysId } from "../../src/domain/sys-id.ts";
import { newTokenValue, tokenLookupKey } from "../../src/domain/token-value.ts";

describe("token values and their stored lookup keys", () => {
  test("a value is its record's sys_id followed by 256 random bits", () => {
    const sysId = newSysId();
    const value = newTokenValue(sysId);
    assert.match(value, /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/);
    assert.equal(value.slice(0, 32), sysId);
    assert.notEqual(newTokenValue(sysId).slice(32), value.slice(32));
    assert.throws(() => newTokenValue("not a sys_id"), TypeError);
  });

  test("the key is the sys_id and 128 bits of the value's SHA-256, and holds nothing of the random part", () => {
    const value = newTokenValue(newSysId());
    const key = tokenLookupKey(value);
    assert.equal(key, value.slice(0, 32) + sha256(value).slice(0, 32));
    assert.equal(key.includes(value.slice(32)), false);
  });

  test("one changed character of the random part is another key", () => {
    const value = newTokenValue(newSysId());
    const last = value.at(-1) === "A" ? "B" : "A";
    assert.notEqual(tokenLookupKey(value.slice(0, -1) + last), tokenLookupKey(value));
  });

  test("keys of values issued later sort later, so the index is appended to", async () => {
    const earlier = tokenLookupKey(newTokenValue(newSysId()));
    await new Promise((resolve) => setTimeout(resolve, 2));
    assert.ok(tokenLookupKey(newTokenValue(newSysId())) > earlier);
  });

  test("values of the earlier format, and anything else presented, are looked up by their full SHA-256", () => {
    const legacy = newSecret();
    assert.equal(tokenLookupKey(legacy), sha256(legacy));
    const upper = newTokenValue(newSysId()).toUpperCase();
    assert.equal(tokenLookupKey(upper), sha256(upper));
    assert.equal(tokenLookupKey(""), sha256(""));
  });
});
