import { createHash, hash, timingSafeEqual } from "node:crypto";
import { randomBase64url } from "./random-pool.ts";

/**
 * Tokens, codes and client secrets are 256-bit random values. At that entropy a fast hash
 * is as safe as a slow one and keeps the token endpoint fast, so only SHA-256 is stored.
 */
export function newSecret(): string {
  return randomBase64url(32);
}

/** Node's one-shot hash: no Hash object per call, as every bearer check and token issue makes one or two. */
export function sha256(value: string): string {
  return hash("sha256", value, "hex");
}

/** Compares two strings without leaking where they differ; unequal lengths compare as unequal. */
export function constantTimeEqual(a: string, b: string): boolean {
  // Equal-length strings (hashes, CSRF tokens) are compared as they are; others through their
  // hashes, so the comparison still takes the same time whatever the lengths.
  if (a.length === b.length) {
    const left = Buffer.from(a, "utf8");
    const right = Buffer.from(b, "utf8");
    if (left.length === right.length) return timingSafeEqual(left, right);
  }
  const left = createHash("sha256").update(a, "utf8").digest();
  const right = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
