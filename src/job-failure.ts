import type { FastifyInstance } from "fastify";
import type { LocalText } from "./i18n/translator.ts";
import { isStoreUnavailable, unavailableCause } from "./store/availability.ts";

/*
 * The database away stops housekeeping and the import job (which polls every 2 s) as it turns
 * requests away: an outage, said in the same one warning with its cause; a stack for each try
 * filled the log while the database was down. Anything else is a defect, said as an error.
 */

/** A single process: its JSON log (level 40 for an outage, 50 with the stack for a defect). */
export function logJobFailure(log: FastifyInstance["log"], error: unknown): void {
  if (isStoreUnavailable(error)) log.warn({ cause: unavailableCause(error) }, "database unavailable");
  else log.error({ err: error }, "housekeeping failed");
}

/**
 * A cluster primary, which runs the jobs for its workers and prints plain text: the same
 * warning, where it printed "housekeeping failed" for an outage too.
 */
export function jobFailureText(error: unknown): LocalText {
  if (isStoreUnavailable(error)) return { key: "start.databaseUnavailable", values: { cause: unavailableCause(error) } };
  return { key: "start.housekeepingFailed", values: { reason: error instanceof Error ? (error.stack ?? error.message) : String(error) } };
}
