import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";

/**
 * A data call the script thread waits for without returning to its event loop, so GlideRecord
 * can answer `gr.next()` synchronously as the platform's does (the pattern of the synckit
 * package, in the few lines it takes). The thread posts the call as any other message, then
 * sleeps in Atomics.wait on a shared counter; the serving thread performs the call, posts the
 * answer on a port of its own and bumps the counter. The thread reads the answer with
 * receiveMessageOnPort, which needs no event loop.
 *
 * While it sleeps, the thread runs nothing else: the other runs sharing it wait for the length
 * of the call, as they wait while a script computes. The wait never outlasts the run's time
 * limit, so it delays them no more than a script computing to its limit would.
 */
export interface SyncChannel {
  /** The script thread reads answers here; the serving thread holds the other end. */
  port: MessagePort;
  /** One Int32: bumped once per answer posted. */
  signal: SharedArrayBuffer;
}

export type SyncAnswer = { call: number; ok: true; value: unknown } | { call: number; ok: false; message: string };

/** Serving thread: the answer goes on the port before the counter moves, so a woken thread always finds it. */
export function postSyncAnswer(channel: SyncChannel, answer: SyncAnswer): void {
  channel.port.postMessage(answer);
  const signal = new Int32Array(channel.signal);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/**
 * Script thread: the answer to `call`, or null when none came within timeoutMs. An answer to an
 * earlier call that timed out may still arrive first; it is read and dropped.
 */
export function awaitSyncAnswer(channel: SyncChannel, call: number, timeoutMs: number): SyncAnswer | null {
  const signal = new Int32Array(channel.signal);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Read before looking at the port: an answer posted after this read changes the counter, so the wait below returns at once.
    const seen = Atomics.load(signal, 0);
    for (let got = receiveMessageOnPort(channel.port); got; got = receiveMessageOnPort(channel.port)) {
      const answer = got.message as SyncAnswer;
      if (answer.call === call) return answer;
    }
    const left = deadline - Date.now();
    if (left <= 0) return null;
    Atomics.wait(signal, 0, seen, left);
  }
}
