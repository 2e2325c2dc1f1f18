import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnNode, type Started } from "./processes.ts";
import type { RunResult } from "./report.ts";
import type { Job } from "./scenarios.ts";

export type Outcome = Omit<RunResult, "rssMiB" | "cpuUs"> & { total: number; max: number };

export interface LoadGenerator {
  started: Started;
  /** Drives `url` with `job` from `connections` connections for `seconds`. */
  run(url: string, job: Job, connections: number, seconds: number): Promise<Outcome>;
}

const loadScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../load.js");

/** autocannon in its own process (bench/load.js), pinned to `cpus` when possible, one job at a time. */
export async function startLoadGenerator(cpus: string | undefined): Promise<LoadGenerator> {
  const started = spawnNode([loadScript], { cpus });
  await new Promise<void>((resolve, reject) => {
    started.child.once("message", () => resolve());
    started.child.once("exit", () => reject(new Error(`load generator exited:\n${started.stderr()}`)));
  });
  return {
    started,
    run: (url, job, connections, seconds) =>
      new Promise<Outcome>((resolve, reject) => {
        started.child.once("message", (message: { ok: boolean; result: Outcome; error: string }) => (message.ok ? resolve(message.result) : reject(new Error(message.error))));
        started.child.send({ url, ...job, connections, duration: seconds });
      }),
  };
}
