import { randomBytes } from "node:crypto";

/** A record's identity as the platform shapes it: 32 lowercase hex characters. */
export function newSysId(): string {
  return randomBytes(16).toString("hex");
}

export const sysIdPattern = /^[0-9a-f]{32}$/;

/** The platform's wire format for instants: `YYYY-MM-DD HH:MM:SS` in UTC. */
export function glideDateTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
}
