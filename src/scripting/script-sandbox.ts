import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";
import { CallLimitError, DataCalls, OutOfTimeError, RowLimitError } from "./data-calls.ts";
import { type Engine, EnginePool } from "./engine-pool.ts";
import { hostFunctions, type HostFunctionsRun } from "./host-functions.ts";
import { type InterruptCountdown, interruptCountdown } from "./interrupt-countdown.ts";
import { prelude } from "./prelude.ts";
import { compileScript, knownRefusal } from "./script-body.ts";
import type { FailureKind, SandboxLimits, ScriptHost, ScriptInput, ScriptOutcome, ScriptResponse } from "./sandbox-contract.ts";

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
 * async function, so it writes `await table.get(...)`. GlideRecord's calls are the exception:
 * the platform's API is synchronous, so they hold the script thread until answered (sync-call.ts).
 */
export type { FailureKind, SandboxLimits, ScriptHost, ScriptInput, ScriptOutcome, ScriptResponse } from "./sandbox-contract.ts";

const pools = new Map<number, EnginePool>();
const poolFor = (memoryBytes: number) => pools.get(memoryBytes) ?? pools.set(memoryBytes, new EnginePool(memoryBytes)).get(memoryBytes)!;

/**
 * Ticks between two questions to the interrupt handler (see interrupt-countdown.ts). Few
 * enough that ticks which each build a backtrace still end within a fraction of a second past
 * the deadline; each question costs a call out of WebAssembly, so a tight loop runs about
 * 1.6 times slower than with QuickJS's 10,000. After a window that took a millisecond or more
 * (ticks that cost that much are throws), the handler is asked at every tick.
 */
const ticksPerQuestion = 16;

class ScriptRun implements HostFunctionsRun {
  private readonly deadline: number;
  private timedOut = false;
  private outputUsed = 0;
  private wake: (() => void) | null = null;
  /** Data calls whose promise the script has not yet seen settle (queued ones included). */
  private unsettled = 0;
  private readonly deferreds: QuickJSDeferredPromise[] = [];
  private readonly calls: DataCalls;
  private readonly countdown: InterruptCountdown;
  private readonly growthRefusedBefore: number;
  private limitHit: { kind: FailureKind; message: string } | null = null;
  readonly response: ScriptResponse = { status: 200, headers: [], body: null };

  constructor(
    private readonly engine: Engine,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    readonly limits: SandboxLimits,
    readonly host: ScriptHost,
  ) {
    this.deadline = Date.now() + limits.timeoutMs;
    this.calls = new DataCalls(limits, (operation, args) => host.data(operation, args), () => Date.now() < this.deadline);
    this.countdown = interruptCountdown(engine.memory, context, engine.countdown);
    this.growthRefusedBefore = engine.growthRefused;
    runtime.setMaxStackSize(limits.stackBytes);
    let asked = Date.now();
    runtime.setInterruptHandler(() => {
      const now = Date.now();
      if (now >= this.deadline) {
        this.timedOut = true;
        return true;
      }
      this.countdown.set(now - asked >= 1 ? 1 : ticksPerQuestion);
      asked = now;
      return false;
    });
  }

  guestError(message: string): Error {
    return new Error(message);
  }

  /** A limit the script may not talk its way out of: the run fails with it even when the script catches the error. */
  private hitLimit(kind: FailureKind, message: string): Error {
    this.limitHit ??= { kind, message };
    return this.guestError(message);
  }

  spendOutput(bytes: number): void {
    this.outputUsed += bytes;
    if (this.outputUsed > this.limits.outputBytes) throw this.hitLimit("output", `the script's output exceeds ${Math.round(this.limits.outputBytes / 1024)} KB`);
  }

  /** GlideRecord's calls: the answer, or a refusal as data for it to report; limits and time throw. */
  dataSyncCall(operation: string, argsJson: string): unknown {
    const dataSync = this.host.dataSync?.bind(this.host);
    if (!dataSync) throw this.guestError("GlideRecord is offered only to scripts run on the script threads");
    try {
      return this.calls.callSync(operation, JSON.parse(argsJson) as unknown[], (op, args) => dataSync(op, args, this.deadline - Date.now()));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RowLimitError) throw this.hitLimit("rows", message);
      if (error instanceof CallLimitError) throw this.hitLimit("calls", message);
      if (error instanceof OutOfTimeError) this.timedOut = true;
      throw this.guestError(message);
    }
  }

  dataCall(operation: string, argsJson: string): QuickJSHandle {
    if (Date.now() >= this.deadline) {
      this.timedOut = true;
      throw this.guestError("the script ran out of time");
    }
    let args: unknown[];
    try {
      args = JSON.parse(argsJson) as unknown[];
    } catch {
      args = [];
    }
    let call: Promise<unknown>;
    try {
      call = this.calls.call(operation, args);
    } catch (error) {
      // The call limit, like the records limit, fails the run even when the script catches it.
      if (error instanceof CallLimitError) throw this.hitLimit("calls", error.message);
      throw error;
    }
    this.unsettled += 1;
    const ctx = this.context;
    const deferred = ctx.newPromise();
    this.deferreds.push(deferred);
    call
      .then(
        (result) => {
          if (!deferred.alive) return;
          const text = JSON.stringify(result ?? null);
          ctx.newString(text).consume((h) => deferred.resolve(h));
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (error instanceof RowLimitError) this.hitLimit("rows", message);
          if (!deferred.alive) return;
          ctx.newError({ name: "Error", message }).consume((h) => deferred.reject(h));
        },
      )
      .catch(() => {})
      .finally(() => {
        this.unsettled -= 1;
        this.wake?.();
      });
    return deferred.handle;
  }

  private classify(describe: QuickJSHandle, error: QuickJSHandle): ScriptOutcome {
    if (this.timedOut) return { ok: false, kind: "timeout", message: `the script ran longer than ${this.limits.timeoutMs} ms`, stack: "" };
    if (this.limitHit) return { ok: false, ...this.limitHit, stack: "" };
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
    // QuickJS throws null when it runs out of memory while making the error object itself.
    const nullForMemory = parsed.name === "Thrown value" && parsed.message === "null" && this.engine.growthRefused > this.growthRefusedBefore;
    const kind: FailureKind = nullForMemory || /out of memory/i.test(parsed.message ?? "") ? "memory" : "threw";
    return { ok: false, kind, message, stack: (parsed.stack ?? "").slice(0, 8000) };
  }

  async run(input: ScriptInput): Promise<ScriptOutcome> {
    const ctx = this.context;
    const install = ctx.unwrapResult(ctx.evalCode(prelude, "prelude.js", { type: "global", strict: true }));
    const host = hostFunctions(ctx, this);
    const requestJson = ctx.newString(input.requestJson);
    const pair = ctx.unwrapResult(ctx.callFunction(install, ctx.undefined, host, requestJson));
    for (const h of [install, host, requestJson]) h.dispose();
    const describe = ctx.getProp(pair, 0);
    const start = ctx.getProp(pair, 1);
    pair.dispose();
    try {
      const compiled = compileScript(ctx, input.script, input.filename);
      if ("refused" in compiled) return { ok: false, kind: "closes-function", message: compiled.refused, stack: "" };
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
      const remaining = this.deadline - Date.now();
      if (remaining <= 0) {
        this.timedOut = true;
        return this.classify(describe, this.context.undefined);
      }
      // Pending with no call to wait for: the script awaits something that can never settle.
      if (this.unsettled === 0 && !this.runtime.hasPendingJob()) {
        return this.limitHit ? this.classify(describe, this.context.undefined) : { ok: false, kind: "stalled", message: "the script awaited a promise that never settles", stack: "" };
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

  /** Calls not yet started are dropped; those started finish before the answer, so no write lands after it. */
  async drain(): Promise<void> {
    this.calls.close();
    await this.calls.drain();
  }

  dispose(): void {
    for (const d of this.deferreds) d.dispose();
  }
}

/**
 * One run in a fresh runtime; whatever happens inside, the runtime is gone afterwards. Any
 * exception out of the engine (a WebAssembly trap, or QuickJS aborting on a failed assertion,
 * as JS_FreeRuntime does after some stack overflows) means the module instance is dead: the
 * run answers with what it had, or fails as "engine", and the instance is never reused.
 */
export async function runScript(input: ScriptInput, limits: SandboxLimits, host: ScriptHost): Promise<ScriptOutcome> {
  const refused = knownRefusal(input.script, input.filename);
  if (refused !== undefined) return { ok: false, kind: "closes-function", message: refused, stack: "" };
  const pool = poolFor(limits.memoryBytes);
  const engine = await pool.acquire();
  let outcome: ScriptOutcome | undefined;
  let engineAlive = true;
  const engineFailed = (error: unknown): ScriptOutcome => {
    engineAlive = false;
    return { ok: false, kind: "engine", message: `the script engine failed: ${String(error)}`.slice(0, 2000), stack: "" };
  };
  let run: ScriptRun | undefined;
  try {
    const runtime = engine.module.newRuntime();
    const context = runtime.newContext();
    run = new ScriptRun(engine, runtime, context, limits, host);
    outcome = await run.run(input).catch(engineFailed);
    try {
      run.dispose();
      context.dispose();
      runtime.dispose();
    } catch (error) {
      // The script's answer stands; only the instance is lost.
      engineFailed(error);
    }
    return outcome;
  } catch (error) {
    return (outcome = engineFailed(error));
  } finally {
    await run?.drain();
    pool.release(engine, engineAlive && outcome?.ok === true);
  }
}

/** Instances waiting in the pool for this memory limit: what a test can see of reuse. */
export function idleEngines(memoryBytes: number): number {
  return poolFor(memoryBytes).idleCount;
}
