import { randomHex } from "./random-pool.ts";

/**
 * A record's identity as the platform shapes it: 32 lowercase hex characters. The first 12 are
 * the creation time in milliseconds and the other 20 are random (80 bits), like a UUIDv7: new
 * rows then land at the end of every index keyed by sys_id (primary keys, token families, the
 * audit trail) instead of on a random page, which halves what an insert writes to the database.
 */
export function newSysId(now = Date.now()): string {
  return now.toString(16).padStart(12, "0").slice(-12) + randomHex(10);
}

export const sysIdPattern = /^[0-9a-f]{32}$/;

/** The platform's wire format for instants: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function glideDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
}
