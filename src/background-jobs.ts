import { randomBytes } from "node:crypto";
import { startImportSetJobs } from "./import-sets/import-set-job.ts";
import type { Instance } from "./instance.ts";
import { tryTakeLease } from "./store/job-lease-store.ts";
import { deleteStaleBuckets } from "./store/rate-limit-store.ts";
import { closeSynchronousSets } from "./store/import-set-store.ts";
import { deleteExpiredSessions } from "./store/session-store.ts";
import { deleteExpiredTokens } from "./store/token-store.ts";

export interface BackgroundJobs {
  stop(): void;
  /** Runs every job once now, if this node holds the lease; for tests and shutdown hooks. */
  runOnce(): Promise<boolean>;
}

/** For a process that must not run housekeeping (a cluster worker). */
export const idleJobs: BackgroundJobs = { stop: () => {}, runOnce: async () => false };

/**
 * Periodic housekeeping (expired tokens and codes in small batches, old rate-limit windows,
 * expired sessions, single-row import sets of a past day) every PORTCULLIS_TOKEN_CLEANUP_INTERVAL seconds. Every node starts it, but a
 * lease in the database lets one node run it per interval.
 */
export function startBackgroundJobs(instance: Instance, onError: (error: unknown) => void): BackgroundJobs {
  const holder = randomBytes(8).toString("hex");
  const intervalMs = instance.config.tokenCleanupInterval * 1000;
  const leaseMs = Math.max(intervalMs - 1000, 1000);
  const runOnce = async () => {
    if (!(await tryTakeLease(instance.store.db, "housekeeping", holder, leaseMs))) return false;
    // A sweep of a large backlog at PORTCULLIS_TOKEN_CLEANUP_RATE can outlast the lease: it is
    // renewed once half of it has gone, so no other node takes it and sweeps beside this one
    // (twice the rate the setting allows), and the sweep stops if it was lost all the same.
    let renewedAt = Date.now();
    const stillHeld = async () => {
      if (Date.now() - renewedAt < leaseMs / 2) return true;
      renewedAt = Date.now();
      return tryTakeLease(instance.store.db, "housekeeping", holder, leaseMs);
    };
    const now = Date.now();
    await deleteExpiredTokens(instance.store.db, now, undefined, { maxRowsPerSecond: instance.config.tokenCleanupRate, stillHeld });
    if (!(await stillHeld())) return true;
    await deleteStaleBuckets(instance.store.db, now - Math.max(5, instance.config.lockoutMinutes) * 60 * 1000);
    await deleteExpiredSessions(instance.store.db, now);
    // The instance's clock, as the Import Set API's single rows read it (tests fix it).
    await closeSynchronousSets(instance.store.db, { now: instance.now().getTime() });
    return true;
  };
  // A sweep that outlasts the interval (millions of expired tokens, a short interval) is not
  // joined by a second one: two would delete at twice the rate the setting allows.
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= runOnce()
      .catch(onError)
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  // insertMultiple sets are transformed under their own lease, polled every few seconds.
  const imports = startImportSetJobs(instance, onError);
  return {
    stop: () => {
      clearInterval(timer);
      imports.stop();
    },
    runOnce,
  };
}
