import { parentPort, workerData } from "node:worker_threads";
import { compiledModule } from "./engine-pool.ts";
import { runScript } from "./script-sandbox.ts";
import type { FromThread, ToThread } from "./script-thread-pool.ts";
import type { ScriptHost } from "./sandbox-contract.ts";
import { awaitSyncAnswer, type SyncChannel } from "./sync-call.ts";

/**
 * The thread scripts run on (script-thread-pool.ts starts it). QuickJS runs synchronously
 * between its data calls, so on the serving thread a script near its time limit held every
 * other request of the process for that long; here it holds only the runs that share its thread.
 * The data calls themselves go back to the serving thread, which owns the store and the caller's
 * rights: this thread sees only the script, its limits and the JSON that comes back.
 */
const port = parentPort!;
const sync = (workerData as { sync: SyncChannel }).sync;
const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCall = 0;
const send = (message: FromThread) => port.postMessage(message);
// Compiled while the thread waits for its first run, which would otherwise pay for it.
void compiledModule().catch(() => {});

port.on("message", (message: ToThread) => {
  if (message.type === "answer") {
    const call = calls.get(message.call);
    calls.delete(message.call);
    if (message.ok) call?.resolve(message.value);
    else call?.reject(new Error(message.message));
    return;
  }
  const { run, input, limits } = message;
  const host: ScriptHost = {
    log: (level, line) => send({ type: "log", run, level, line }),
    data: (operation, args) =>
      new Promise((resolve, reject) => {
        const call = nextCall++;
        calls.set(call, { resolve, reject });
        send({ type: "data", run, call, operation, args });
      }),
    dataSync: (operation, args, timeoutMs) => {
      const call = nextCall++;
      send({ type: "data-sync", run, call, operation, args });
      const answer = awaitSyncAnswer(sync, call, timeoutMs);
      return answer ? (answer.ok ? { ok: true, value: answer.value } : { ok: false, message: answer.message }) : { ok: false, timedOut: true };
    },
  };
  runScript(input, limits, host)
    .catch((error: unknown) => ({ ok: false as const, kind: "engine" as const, message: `the script engine failed: ${String(error)}`.slice(0, 2000), stack: "" }))
    .then((outcome) => send({ type: "done", run, outcome }));
});
