import type { DataCallLimits } from "./data-calls.ts";

/** What a caller gives the sandbox and gets back from it (script-sandbox.ts). */
export interface SandboxLimits extends DataCallLimits {
  /** Covers the script and its data calls: none starts after it, and the run ends at it. */
  timeoutMs: number;
  memoryBytes: number;
  outputBytes: number;
  /**
   * QuickJS's own stack limit: deep recursion ends in an InternalError the script may catch.
   * Some of QuickJS's C recursion (JSON or String of a very deep value) can exhaust Node's
   * stack first; that ends the run as an engine failure (see runScript), never a crash.
   */
  stackBytes: number;
  maxLogLines: number;
}

export interface ScriptInput {
  /** JSON of the `request` object the script sees. */
  requestJson: string;
  script: string;
  /** Names the script in stack traces. */
  filename: string;
}

export interface ScriptHost {
  log(level: "info" | "warn" | "error", line: string): void;
  /** A data API call: args are JSON from the script; the result goes back as JSON. */
  data(operation: string, args: unknown[]): Promise<unknown>;
  /**
   * The same call, waited for before returning (GlideRecord's): only on the script threads
   * (sync-call.ts). Gives up after timeoutMs, the run's remaining time.
   */
  dataSync?(operation: string, args: unknown[], timeoutMs: number): SyncDataAnswer;
}

export type SyncDataAnswer = { ok: true; value: unknown } | { ok: false; message: string } | { ok: false; timedOut: true };

export interface ScriptResponse {
  status: number;
  headers: [string, string][];
  /** JSON text of what the script set or returned (json), or the text its stream writer wrote. */
  body: { text: string; json: boolean } | null;
}

/** closes-function: a stored script that closes the function it is the body of (script-body.ts) is not run at all. */
export type FailureKind = "threw" | "timeout" | "memory" | "output" | "rows" | "calls" | "invalid-response" | "stalled" | "engine" | "closes-function";
export type ScriptOutcome = { ok: true; response: ScriptResponse } | { ok: false; kind: FailureKind; message: string; stack: string };
