/** The database cannot be reached or written right now: the request may succeed later (503, not 500). */
export class StoreUnavailableError extends Error {}

const unavailableCodes = new Set([
  // PostgreSQL: connection failures, shutdown, too many connections, read-only transaction, disk
  // full, and a query stopped by statement_timeout (PORTCULLIS_DB_TIMEOUT_MS), which is load, not a fault.
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P01", "57P02", "57P03", "53300", "08000", "08003", "08006", "08001", "25006", "53100", "57014",
  // SQLite: busy, locked, read-only, disk full, I/O error, cannot open.
  "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN",
]);

export function isStoreUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && [...unavailableCodes].some((c) => code === c || code.startsWith(`${c}_`))) return true;
  // pg's own words: the connection died under a request (a restart, a failover) or never answered.
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|not queryable|Query read timeout/i.test(String((error as Error)?.message));
}

/** An outage's cause for its one log line: the driver's code and the first words of its message, no stack. */
export function unavailableCause(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return [typeof code === "string" ? code : "", typeof message === "string" ? message.slice(0, 200) : ""].filter(Boolean).join(": ");
}
