import { randomFillSync } from "node:crypto";

/**
 * Random bytes drawn from one buffer refilled from the CSPRNG 8 KiB at a time (as the uuid
 * package does). Asking the CSPRNG for 10 or 32 bytes at a time costs more than the token
 * endpoint's own work; every byte is still the CSPRNG's and none is handed out twice.
 */
const pool = Buffer.alloc(8192);
let next = pool.length;

function take(size: number): Buffer {
  if (next + size > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + size);
  next += size;
  return bytes;
}

/** `size` random bytes as lowercase hex (a copy: the pool is refilled in place). */
export function randomHex(size: number): string {
  return take(size).toString("hex");
}

/** `size` random bytes as unpadded base64url. */
export function randomBase64url(size: number): string {
  return take(size).toString("base64url");
}
