import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import type { ScriptHost, ScriptResponse, SandboxLimits } from "./sandbox-contract.ts";
import { scriptHeaderProblem } from "./script-headers.ts";

/** What of a run (script-sandbox.ts) its host functions reach. */
export interface HostFunctionsRun {
  readonly response: ScriptResponse;
  readonly limits: SandboxLimits;
  readonly host: ScriptHost;
  guestError(message: string): Error;
  /** Throws once the run's output is over its limit. */
  spendOutput(bytes: number): void;
  /** A table.* call: a promise the run settles when the store answers. */
  dataCall(operation: string, argsJson: string): QuickJSHandle;
  /** A GlideRecord call, answered before it returns. */
  dataSyncCall(operation: string, argsJson: string): unknown;
}

/**
 * The host functions the prelude closes over before the script runs; the script never sees
 * this object. Everything crosses as a string or a number, checked here before the run keeps it.
 */
export function hostFunctions(ctx: QuickJSContext, run: HostFunctionsRun): QuickJSHandle {
  let logLines = 0;
  const host = ctx.newObject();
  const fn = (name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | void) => ctx.newFunction(name, impl).consume((h) => ctx.setProp(host, name, h));
  fn("setStatus", (code) => {
    const status = ctx.typeof(code) === "number" ? ctx.getNumber(code) : NaN;
    if (!Number.isInteger(status) || status < 200 || status > 599) throw run.guestError("response.setStatus takes a whole number from 200 to 599");
    run.response.status = status;
  });
  // `method` names the response method the prelude called it for, in the script's error.
  fn("setHeader", (name, value, method) => {
    const where = `response.${method && ctx.typeof(method) === "string" ? ctx.getString(method) : "setHeader"}`;
    const n = ctx.typeof(name) === "string" ? ctx.getString(name) : "";
    const v = ctx.typeof(value) === "string" ? ctx.getString(value) : ctx.typeof(value) === "number" ? String(ctx.getNumber(value)) : null;
    if (v === null) throw run.guestError(`${where}: the value must be a string or a number`);
    const problem = scriptHeaderProblem(n, v, run.response.headers);
    if (problem) throw run.guestError(`${where}: ${problem}`);
    run.spendOutput(n.length + v.length);
    run.response.headers.push([n.toLowerCase(), v]);
  });
  // "append" adds what a stream writer wrote; anything else sets the serialized body whole.
  fn("setBody", (text, how) => {
    const body = ctx.getString(text), previous = run.response.body?.text ?? "";
    const append = ctx.typeof(how) === "string" && ctx.getString(how) === "append";
    run.spendOutput(append ? body.length : body.length - previous.length);
    run.response.body = append ? { text: previous + body, json: false } : { text: body, json: true };
  });
  fn("log", (level, line) => {
    if (logLines >= run.limits.maxLogLines) return;
    logLines += 1;
    const text = ctx.getString(line).slice(0, 2000);
    run.spendOutput(text.length);
    const lvl = ctx.getString(level);
    run.host.log(lvl === "warn" || lvl === "error" ? lvl : "info", text);
  });
  fn("data", (operation, argsJson) => run.dataCall(ctx.getString(operation), ctx.getString(argsJson)));
  fn("dataSync", (operation, argsJson) => ctx.newString(JSON.stringify(run.dataSyncCall(ctx.getString(operation), ctx.getString(argsJson)))));
  return host;
}
