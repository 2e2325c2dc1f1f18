import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import { EnginePool } from "./engine-pool.ts";
import { prelude, wrapScript } from "./prelude.ts";

/**
 * Runs an operation script in QuickJS compiled to WebAssembly: the script sees only what the
 * prelude builds from a few host functions, never Node's globals, so there is no file
 * system, network, process, timers, require or module loading to reach.
 *
 * Why the plain (synchronous) build with promises rather than the asyncified one: an
 * asyncified module can suspend for one host call at a time, so concurrent requests would
 * each need their own WebAssembly module (milliseconds and megabytes apiece). Here one module
 * is loaded once; every run gets a fresh runtime (its own heap, memory limit, stack limit and
 * interrupt handler) and context, so nothing a script does outlives its request. The data
 * API returns promises the host settles when the store answers; the script body runs in an
 * async function, so it writes `await table.get(...)`.
 */
export interface SandboxLimits {
  timeoutMs: number;
  memoryBytes: number;
  outputBytes: number;
  /** The VM's own stack; deep recursion ends in a RangeError-like InternalError, not a crash. */
  stackBytes: number;
  maxLogLines: number;
  maxDataCalls: number;
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
}

export interface ScriptResponse {
  status: number;
  headers: [string, string][];
  /** Text as the script set it, or JSON text of what it set or returned. */
  body: { text: string; json: boolean } | null;
}

export type FailureKind = "threw" | "timeout" | "memory" | "output" | "invalid-response" | "stalled";
export type ScriptOutcome = { ok: true; response: ScriptResponse } | { ok: false; kind: FailureKind; message: string; stack: string };

const pools = new Map<number, EnginePool>();
const poolFor = (memoryBytes: number) => pools.get(memoryBytes) ?? pools.set(memoryBytes, new EnginePool(memoryBytes)).get(memoryBytes)!;

/** Headers a script may not set: connection management belongs to the server, cookies to sessions. */
const refusedHeaders = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "content-length", "set-cookie", "host"]);
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

class ScriptRun {
  private readonly deadline: number;
  private timedOut = false;
  private outputUsed = 0;
  private logLines = 0;
  private dataCalls = 0;
  private inFlight = 0;
  private wake: (() => void) | null = null;
  private readonly deferreds: QuickJSDeferredPromise[] = [];
  private readonly calls: Promise<unknown>[] = [];
  private limitHit: FailureKind | null = null;
  readonly response: ScriptResponse = { status: 200, headers: [], body: null };

  constructor(
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly limits: SandboxLimits,
    private readonly host: ScriptHost,
  ) {
    this.deadline = Date.now() + limits.timeoutMs;
    runtime.setMaxStackSize(limits.stackBytes);
    runtime.setInterruptHandler(() => {
      if (Date.now() < this.deadline) return false;
      this.timedOut = true;
      return true;
    });
  }

  private guestError(message: string): Error {
    return new Error(message);
  }

  private spendOutput(bytes: number): void {
    this.outputUsed += bytes;
    if (this.outputUsed > this.limits.outputBytes) {
      this.limitHit = "output";
      throw this.guestError(`the script's output exceeds ${Math.round(this.limits.outputBytes / 1024)} KB`);
    }
  }

  /** The host functions the prelude closes over before the script runs; the script never sees this object. */
  hostObject(): QuickJSHandle {
    const ctx = this.context;
    const host = ctx.newObject();
    const fn = (name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | void) => ctx.newFunction(name, impl).consume((h) => ctx.setProp(host, name, h));
    fn("setStatus", (code) => {
      const status = ctx.typeof(code) === "number" ? ctx.getNumber(code) : NaN;
      if (!Number.isInteger(status) || status < 200 || status > 599) throw this.guestError("response.setStatus takes a whole number from 200 to 599");
      this.response.status = status;
    });
    fn("setHeader", (name, value) => {
      const n = ctx.typeof(name) === "string" ? ctx.getString(name) : "";
      const v = ctx.typeof(value) === "string" ? ctx.getString(value) : ctx.typeof(value) === "number" ? String(ctx.getNumber(value)) : null;
      if (!headerName.test(n)) throw this.guestError("response.setHeader: the name must be an HTTP token");
      if (refusedHeaders.has(n.toLowerCase())) throw this.guestError(`response.setHeader: ${n} is set by the server, not by a script`);
      if (v === null || /[\r\n\0]/.test(v)) throw this.guestError("response.setHeader: the value must be a string without line breaks");
      this.spendOutput(n.length + v.length);
      this.response.headers.push([n.toLowerCase(), v]);
    });
    fn("setBody", (text, json) => {
      const body = ctx.getString(text);
      this.spendOutput(body.length - (this.response.body?.text.length ?? 0));
      this.response.body = { text: body, json: ctx.typeof(json) === "boolean" && ctx.dump(json) === true };
    });
    fn("log", (level, line) => {
      if (this.logLines >= this.limits.maxLogLines) return;
      this.logLines += 1;
      const text = ctx.getString(line).slice(0, 2000);
      this.spendOutput(text.length);
      const lvl = ctx.getString(level);
      this.host.log(lvl === "warn" || lvl === "error" ? lvl : "info", text);
    });
    fn("data", (operation, argsJson) => this.dataCall(ctx.getString(operation), ctx.getString(argsJson)));
    return host;
  }

  private dataCall(operation: string, argsJson: string): QuickJSHandle {
    if (++this.dataCalls > this.limits.maxDataCalls) throw this.guestError(`a script may make at most ${this.limits.maxDataCalls} data calls`);
    const ctx = this.context;
    const deferred = ctx.newPromise();
    this.deferreds.push(deferred);
    this.inFlight += 1;
    let args: unknown[];
    try {
      args = JSON.parse(argsJson) as unknown[];
    } catch {
      args = [];
    }
    const call = this.host.data(operation, args);
    this.calls.push(call);
    call
      .then(
        (result) => {
          if (!deferred.alive) return;
          const text = JSON.stringify(result ?? null);
          ctx.newString(text).consume((h) => deferred.resolve(h));
        },
        (error: unknown) => {
          if (!deferred.alive) return;
          ctx.newError({ name: "Error", message: error instanceof Error ? error.message : String(error) }).consume((h) => deferred.reject(h));
        },
      )
      .catch(() => {})
      .finally(() => {
        this.inFlight -= 1;
        this.wake?.();
      });
    return deferred.handle;
  }

  private classify(describe: QuickJSHandle, error: QuickJSHandle): ScriptOutcome {
    if (this.timedOut) return { ok: false, kind: "timeout", message: `the script ran longer than ${this.limits.timeoutMs} ms`, stack: "" };
    if (this.limitHit) return { ok: false, kind: this.limitHit, message: `the script's output exceeds ${Math.round(this.limits.outputBytes / 1024)} KB`, stack: "" };
    let text = "";
    const described = this.context.callFunction(describe, this.context.undefined, error);
    if (described.error) described.error.dispose();
    else text = described.value.consume((h) => (this.context.typeof(h) === "string" ? this.context.getString(h) : ""));
    let parsed: { name?: string; message?: string; stack?: string } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = { name: "InternalError", message: "out of memory" };
    }
    const message = `${parsed.name ?? "Error"}: ${parsed.message ?? ""}`.slice(0, 2000);
    const kind: FailureKind = /out of memory/i.test(parsed.message ?? "") ? "memory" : "threw";
    return { ok: false, kind, message, stack: (parsed.stack ?? "").slice(0, 8000) };
  }

  async run(input: ScriptInput): Promise<ScriptOutcome> {
    const ctx = this.context;
    const install = ctx.unwrapResult(ctx.evalCode(prelude, "prelude.js", { type: "global", strict: true }));
    const host = this.hostObject();
    const requestJson = ctx.newString(input.requestJson);
    const pair = ctx.unwrapResult(ctx.callFunction(install, ctx.undefined, host, requestJson));
    for (const h of [install, host, requestJson]) h.dispose();
    const describe = ctx.getProp(pair, 0);
    const start = ctx.getProp(pair, 1);
    pair.dispose();
    try {
      const compiled = ctx.evalCode(wrapScript(input.script), input.filename, { type: "global" });
      if (compiled.error) return compiled.error.consume((error) => this.classify(describe, error));
      const started = ctx.callFunction(start, ctx.undefined, compiled.value);
      compiled.value.dispose();
      if (started.error) return started.error.consume((error) => this.classify(describe, error));
      try {
        return await this.settle(describe, started.value);
      } finally {
        started.value.dispose();
      }
    } finally {
      describe.dispose();
      start.dispose();
    }
  }

  private async settle(describe: QuickJSHandle, promise: QuickJSHandle): Promise<ScriptOutcome> {
    for (;;) {
      const jobs = this.runtime.executePendingJobs();
      if (jobs.error) {
        const outcome = this.classify(describe, jobs.error);
        jobs.error.dispose();
        return outcome;
      }
      const state = this.context.getPromiseState(promise);
      if (state.type === "fulfilled") {
        if (!state.notAPromise) state.value.dispose();
        return this.limitHit ? this.classify(describe, this.context.undefined) : { ok: true, response: this.response };
      }
      if (state.type === "rejected") {
        const outcome = this.classify(describe, state.error);
        state.error.dispose();
        return outcome;
      }
      // Pending with nothing in flight: the script awaits something that can never settle.
      if (this.inFlight === 0 && !this.runtime.hasPendingJob()) return { ok: false, kind: "stalled", message: "the script awaited a promise that never settles", stack: "" };
      const remaining = this.deadline - Date.now();
      if (remaining <= 0) {
        this.timedOut = true;
        return this.classify(describe, this.context.undefined);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** A run that ended early (timeout, error) still lets its data calls finish before the answer, so no write lands after it. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.calls);
  }

  dispose(): void {
    for (const d of this.deferreds) d.dispose();
  }
}

/** One run in a fresh runtime; whatever happens inside, the runtime is gone afterwards. */
export async function runScript(input: ScriptInput, limits: SandboxLimits, host: ScriptHost): Promise<ScriptOutcome> {
  const pool = poolFor(limits.memoryBytes);
  const engine = await pool.acquire();
  let outcome: ScriptOutcome | undefined;
  try {
    const runtime = engine.module.newRuntime();
    const context = runtime.newContext();
    const run = new ScriptRun(runtime, context, limits, host);
    try {
      outcome = await run.run(input);
    } finally {
      await run.drain();
      run.dispose();
      context.dispose();
      runtime.dispose();
    }
    return outcome;
  } finally {
    pool.release(engine, outcome?.ok === true);
  }
}
