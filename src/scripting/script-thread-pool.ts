import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { SandboxLimits, ScriptHost, ScriptInput, ScriptOutcome } from "./sandbox-contract.ts";
import { postSyncAnswer, type SyncChannel } from "./sync-call.ts";

/**
 * Scripted REST runs on a few threads of their own (script-thread.ts), so a script computing
 * up to its time limit no longer stalls the process's other requests. A run goes to the thread
 * with the fewest runs, so one runaway delays only the runs that share its thread. A thread that
 * dies (it should not: the sandbox turns engine failures into outcomes) fails its runs as engine
 * failures and is replaced by the next run.
 */
export type ToThread =
  | { type: "run"; run: number; input: ScriptInput; limits: SandboxLimits }
  | { type: "answer"; call: number; ok: true; value: unknown }
  | { type: "answer"; call: number; ok: false; message: string };

export type FromThread =
  | { type: "data"; run: number; call: number; operation: string; args: unknown[] }
  /** A call the thread waits for in Atomics.wait (sync-call.ts): answered on the sync channel, not as a message. */
  | { type: "data-sync"; run: number; call: number; operation: string; args: unknown[] }
  | { type: "log"; run: number; level: "info" | "warn" | "error"; line: string }
  | { type: "done"; run: number; outcome: ScriptOutcome };

const threadCount = 2;
/** Runs at once per process, as the engine pool had it on one thread: memory stays within this many capped heaps. */
const maxRuns = 16;

interface Run {
  host: ScriptHost;
  finish: (outcome: ScriptOutcome) => void;
  /** Data calls the serving thread started for this run; the answer waits for them, so no write lands after it. */
  calls: Set<Promise<unknown>>;
}

/** How a worker is started from source (tests, under tsx) and from the build alike. */
function startWorker(sync: SyncChannel): Worker {
  const source = import.meta.url.endsWith(".ts");
  const entry = new URL(source ? "./script-thread.ts" : "./script-thread.js", import.meta.url).href;
  const tsx = source ? import.meta.resolve("tsx/esm/api") : null;
  // Only import(): the source is evaluated as CommonJS, or as a module under --input-type=module.
  const boot = `(async () => {
  const { workerData } = await import("node:worker_threads");
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();`;
  return new Worker(boot, { eval: true, workerData: { entry, tsx, sync }, transferList: [sync.port], resourceLimits: { stackSizeMb: 1 } });
}

class ScriptThread {
  readonly runs = new Map<number, Run>();
  alive = true;
  /** Our end of the sync channel: it only sends, so it holds no listener that would keep the process open. */
  private readonly sync: SyncChannel;
  private readonly worker: Worker;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.sync = { port: port1, signal };
    this.worker = startWorker({ port: port2, signal });
    this.worker.on("message", (message: FromThread) => this.receive(message));
    this.worker.on("error", (error) => this.stopped(String(error)));
    this.worker.on("exit", (code) => this.stopped(`exit code ${code}`));
    // After the listeners: adding a "message" listener refs the worker's port again, and an idle
    // thread that holds the process open keeps a finished command (or test file) from exiting.
    this.worker.unref();
  }

  start(run: number, input: ScriptInput, limits: SandboxLimits, state: Run): void {
    if (this.runs.size === 0) this.worker.ref();
    this.runs.set(run, state);
    this.post({ type: "run", run, input, limits });
  }

  private post(message: ToThread): void {
    if (this.alive) this.worker.postMessage(message);
  }

  private receive(message: FromThread): void {
    const run = this.runs.get(message.run);
    if (message.type === "data-sync") return this.answerSync(run, message);
    if (!run) return;
    if (message.type === "log") return run.host.log(message.level, message.line);
    if (message.type === "done") return this.end(message.run, message.outcome);
    const call = run.host.data(message.operation, message.args);
    run.calls.add(call);
    call.then(
      (value) => this.post({ type: "answer", call: message.call, ok: true, value: value ?? null }),
      (error: unknown) => this.post({ type: "answer", call: message.call, ok: false, message: error instanceof Error ? error.message : String(error) }),
    ).finally(() => run.calls.delete(call));
  }

  /** Always answered, even for a run already gone: the thread is asleep until it is (or until its time runs out). */
  private answerSync(run: Run | undefined, message: Extract<FromThread, { type: "data-sync" }>): void {
    if (!run) return postSyncAnswer(this.sync, { call: message.call, ok: false, message: "the run has ended" });
    const call = run.host.data(message.operation, message.args);
    run.calls.add(call);
    call.then(
      (value) => postSyncAnswer(this.sync, { call: message.call, ok: true, value: value ?? null }),
      (error: unknown) => postSyncAnswer(this.sync, { call: message.call, ok: false, message: error instanceof Error ? error.message : String(error) }),
    ).finally(() => run.calls.delete(call));
  }

  private end(id: number, outcome: ScriptOutcome): void {
    const run = this.runs.get(id)!;
    this.runs.delete(id);
    if (this.runs.size === 0 && this.alive) this.worker.unref();
    void Promise.allSettled([...run.calls]).then(() => run.finish(outcome));
  }

  private stopped(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    const outcome: ScriptOutcome = { ok: false, kind: "engine", message: `the script engine's thread stopped: ${reason}`.slice(0, 2000), stack: "" };
    for (const id of [...this.runs.keys()]) this.end(id, outcome);
  }
}

const threads: ScriptThread[] = [];
const waiting: (() => void)[] = [];
let running = 0;
let nextRun = 0;

function leastBusyThread(): ScriptThread {
  for (let i = threads.length - 1; i >= 0; i--) if (!threads[i]!.alive) threads.splice(i, 1);
  // All threads start with the first run, so the one a runaway leaves free is ready when it is needed.
  while (threads.length < threadCount) threads.push(new ScriptThread());
  return threads.reduce((a, b) => (b.runs.size < a.runs.size ? b : a));
}

/** Runs a script on a script thread; the same contract as the sandbox's own runScript. */
export async function runScriptOnThread(input: ScriptInput, limits: SandboxLimits, host: ScriptHost): Promise<ScriptOutcome> {
  while (running >= maxRuns) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await new Promise<ScriptOutcome>((finish) => leastBusyThread().start(nextRun++, input, limits, { host, finish, calls: new Set() }));
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}
