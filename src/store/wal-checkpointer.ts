import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Most of the work of SQLite's WAL checkpoints, on a thread of their own. By default the commit
 * that takes the WAL past 1 000 pages copies them into the database file and syncs it, on the
 * event loop: under load one request in a few hundred waited 100–600 ms for that (worst while the
 * expired-token sweep runs). A second connection in a worker thread now runs a PASSIVE checkpoint
 * (it never blocks the writer or readers) every `intervalMs`, so the frames are mostly in the
 * database file already when the serving connection's own automatic checkpoint comes round; that
 * one is kept, because only a checkpoint run by the writer between its commits lets the next
 * write start the WAL over (a checkpointer racing the writer never catches up, and the WAL grew
 * to 900 MiB in the sweep bench without it).
 */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => { try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {} };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Runs a last checkpoint and ends the thread. */
  stop(): Promise<void>;
}

export function checkpointInBackground(file: string, intervalMs = 250): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(workerSource, { eval: true, workerData: { driver, file, intervalMs } });
  worker.unref();
  const exited = new Promise<void>((resolve) => {
    worker.once("exit", () => resolve());
    // Without the thread, the serving connection's automatic checkpoints do all the work, as by default.
    worker.once("error", () => resolve());
  });
  return {
    stop: async () => {
      // Held open while it finishes, or a process with nothing else to do would exit before the last checkpoint.
      worker.ref();
      worker.postMessage("stop");
      await exited;
    },
  };
}
