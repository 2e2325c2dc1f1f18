import { randomBase64url } from "./random-pool.ts";
import { sha256 } from "./secrets.ts";
import { sysIdPattern } from "./sys-id.ts";

/**
 * Access tokens, refresh tokens and authorization codes as handed out: the record's sys_id
 * (32 hex, time-ordered, not secret) followed by 256 random bits (43 base64url characters).
 *
 * What the database keeps is the lookup key: the sys_id followed by the first 128 bits of the
 * SHA-256 of the whole value. The key is unique and indexed like a plain hash, but new keys are
 * time-ordered, so an issue appends to the index instead of writing a random page of it: with
 * millions of tokens stored, random index writes were most of what an issue cost. Forging a
 * value for a known sys_id still takes a 128-bit preimage.
 */
const selectorLength = 32;
const valueLength = selectorLength + 43;
const selectorPattern = /^[0-9a-f]{32}[A-Za-z0-9_-]{43}$/;

export function newTokenValue(sysId: string): string {
  if (!sysIdPattern.test(sysId)) throw new TypeError("a token's selector is its record's sys_id");
  return sysId + randomBase64url(32);
}

/**
 * The stored key of a presented value. Values issued before keys were time-ordered (43
 * characters, no selector) are still found by the full SHA-256 they were stored under.
 */
export function tokenLookupKey(value: string): string {
  if (value.length === valueLength && selectorPattern.test(value)) return value.slice(0, selectorLength) + sha256(value).slice(0, 32);
  return sha256(value);
}
