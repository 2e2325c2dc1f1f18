import type { Worker } from "node:cluster";
import { ConfigError, localConfigError } from "./config.ts";
import type { LocalText } from "./i18n/translator.ts";

/**
 * How a cluster worker tells its primary that it started, or why it could not. A worker used to
 * count as up at its first listen, the public port's, so a management port it then failed to take
 * (another process took it after the primary checked) left a worker that never served it and a
 * primary that had already said it was serving. A worker now says it is ready once every listener
 * is up, with the ports it got (a port of 0 is chosen at the first worker's listen), and a failure
 * is told by the primary, once, as its own start error.
 */
const ready = "portcullis:worker-ready";
const failed = "portcullis:worker-start-failed";

export interface WorkerPorts {
  port: number;
  managementPort?: number;
}

interface Message extends Partial<WorkerPorts> {
  type?: string;
  text?: LocalText;
  message?: string;
}

/** In a worker whose start failed, once the primary has the reason: exit with `exitCode` and say nothing more. */
export class WorkerStartFailed extends Error {
  constructor(readonly exitCode: number) {
    super("this worker could not start; its primary says why");
  }
}

/** In a worker: every listener is up. */
export function reportReady(ports: WorkerPorts): void {
  if (process.connected) process.send!({ type: ready, ...ports } satisfies Message, undefined, undefined, () => {});
}

/**
 * In a worker: sends the primary why it could not start, then leaves the channel, which would
 * otherwise keep the worker alive. Returns what to throw: WorkerStartFailed once the primary has it,
 * the error itself when there is no primary to tell.
 */
export async function reportStartFailure(error: unknown): Promise<unknown> {
  if (!process.connected) return error;
  const message: Message = { type: failed, message: error instanceof Error ? error.message : String(error), ...(error instanceof ConfigError && error.text ? { text: error.text } : {}) };
  const sent = await new Promise<boolean>((resolve) => process.send!(message, undefined, undefined, (sendError) => resolve(!sendError)));
  if (!sent) return error;
  process.disconnect();
  // The exit codes the CLI gives these errors: 2 for a setting, 1 for anything else.
  return new WorkerStartFailed(error instanceof ConfigError ? 2 : 1);
}

/** In the primary: the ports `worker` got once it is ready; rejects with the worker's own reason when it could not start. */
export function workerStarted(worker: Worker): Promise<WorkerPorts> {
  return new Promise((resolve, reject) => {
    worker.on("message", (message: Message) => {
      if (message?.type === ready && typeof message.port === "number") resolve({ port: message.port, ...(typeof message.managementPort === "number" ? { managementPort: message.managementPort } : {}) });
      else if (message?.type === failed) reject(message.text ? localConfigError(message.text) : new Error(message.message ?? "a worker could not start"));
    });
    worker.once("exit", (code, signal) => {
      const died = () => reject(new Error(`a worker exited (${signal ?? code}) before it started serving`));
      // Its last message may still be in the channel: the reason, read before the channel closes, wins.
      if (worker.isConnected()) worker.once("disconnect", died);
      else died();
    });
  });
}
