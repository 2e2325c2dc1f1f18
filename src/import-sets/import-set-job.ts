import { randomBytes } from "node:crypto";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Instance } from "../instance.ts";
import { findTableDef } from "../store/dictionary-store.ts";
import { finishImportSet, type ImportSet, nextUnfinishedSet, pendingRows, recordBatchOutcomes, setImportSetState } from "../store/import-set-store.ts";
import { releaseLease, tryTakeLease } from "../store/job-lease-store.ts";
import { loaderPrincipal } from "./loader-principal.ts";
import { planTransform, transformRow } from "./transform-row.ts";

/**
 * Transforms the rows of insertMultiple sets in the background. Every node polls, one holds
 * the lease at a time and renews it after each small batch; if that node dies the lease runs
 * out and another picks the set up where its rows still say "pending". Between batches the
 * job yields to the event loop, and it never holds more than one batch of rows.
 */
export interface ImportSetJobs {
  stop(): void;
  /** Works through every unfinished set now if this node can take the lease. */
  runOnce(): Promise<void>;
}

const leaseName = "import-set-transform";
const leaseMs = 30_000;
const pollMs = 2_000;
export const importBatchSize = 100;

const kicks = new WeakMap<Instance, () => void>();

/** Tells this node's job that a set was just loaded, so it starts without waiting for the next poll. */
export function kickImportSetJobs(instance: Instance): void {
  kicks.get(instance)?.();
}

export function startImportSetJobs(instance: Instance, onError: (error: unknown) => void): ImportSetJobs {
  const db = instance.store.db;
  // The instance's clock, which stamped the set's creation, stamps its progress too.
  const now = () => instance.now().getTime();
  const holder = randomBytes(8).toString("hex");
  let stopped = false;
  let running: Promise<void> | undefined;
  let holding = false;

  const processSet = async (set: ImportSet): Promise<boolean> => {
    const staging = await findTableDef(db, set.table_name);
    if (!staging) {
      await setImportSetState(db, set.sys_id, { state: "error", comment: `the staging table ${set.table_name} no longer exists`, now: now() });
      return true;
    }
    const principal = await loaderPrincipal(db, set);
    if (!principal) {
      await setImportSetState(db, set.sys_id, { state: "error", comment: "the user who loaded this set no longer exists or is inactive", now: now() });
      return true;
    }
    if (set.state !== "processing") await setImportSetState(db, set.sys_id, { state: "processing", now: now() });
    const context = { db, principal, publicUrl: instance.config.publicUrl, describe: false };
    for (;;) {
      if (stopped) return false;
      // Read per batch, so a map an admin changes applies from the next batch on.
      const maps = await planTransform(db, staging.name);
      const rows = await pendingRows(db, staging, set.sys_id, importBatchSize);
      if (rows.length === 0) break;
      const outcomes = [];
      for (const row of rows) outcomes.push({ rowSysId: row.sys_id as string, outcome: (await transformRow(context, maps, row, staging.name)).outcome });
      await recordBatchOutcomes(db, staging, set.sys_id, outcomes, now());
      await yieldToEventLoop();
      if (!(await tryTakeLease(db, leaseName, holder, leaseMs))) {
        holding = false;
        return false;
      }
    }
    await finishImportSet(db, staging, set.sys_id, now());
    return true;
  };

  const work = async () => {
    while (!stopped) {
      const set = await nextUnfinishedSet(db);
      if (!set) {
        if (holding) await releaseLease(db, leaseName, holder);
        holding = false;
        return;
      }
      holding = await tryTakeLease(db, leaseName, holder, leaseMs);
      if (!holding || !(await processSet(set))) return;
    }
  };

  const runOnce = (): Promise<void> => {
    running ??= work().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => void runOnce().catch(onError);
  const timer = setInterval(tick, pollMs);
  timer.unref();
  kicks.set(instance, tick);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      kicks.delete(instance);
    },
    runOnce,
  };
}
