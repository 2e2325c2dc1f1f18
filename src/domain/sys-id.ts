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

let formattedSecond = Number.NaN;
let formatted = "";

/** The platform's wire format for instants: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function glideDateTime(epochMs: number): string {
  // Every record written stamps it, mostly within the same second: formatting once a second
  // saves a Date and three strings per call. NaN never equals itself, so bad input still throws.
  const second = Math.floor(epochMs / 1000);
  if (second !== formattedSecond) {
    formatted = new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
    formattedSecond = second;
  }
  return formatted;
}
