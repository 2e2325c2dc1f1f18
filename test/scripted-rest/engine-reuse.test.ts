import assert from "node:assert/strict";
import { test } from "node:test";
import { idleEngines, runScript, type SandboxLimits } from "../../src/scripting/script-sandbox.ts";

/**
 * A WebAssembly instance that failed mid-run is dead: the run still answers, and the instance
 * never goes back to the pool. The failure here is Node's own stack running out inside
 * QuickJS's C recursion (JSON of a deep object), certain with a QuickJS stack limit this
 * large; QuickJS aborting in JS_FreeRuntime after such an overflow is the same case. A
 * memory size of its own gives this test a pool of its own.
 */
const limits: SandboxLimits = { timeoutMs: 5000, memoryBytes: 33 * 1024 * 1024, outputBytes: 1024 * 1024, stackBytes: 4 * 1024 * 1024, maxLogLines: 10, maxDataCalls: 10, maxDataCallsInFlight: 4, maxRowsRead: 100 };
const host = { log() {}, data: async () => null };
const run = (script: string) => runScript({ requestJson: "{}", script, filename: "engine-reuse.js" }, limits, host);

test("an engine that aborted is thrown away, a clean one is kept", async () => {
  const clean = await run("return 1");
  assert.equal(clean.ok, true);
  assert.equal(idleEngines(limits.memoryBytes), 1);
  const aborted = await run("let o = {}; for (let i = 0; i < 100000; i++) o = { a: o }; try { JSON.stringify(o) } catch (e) {} return 'ok'");
  assert.equal(aborted.ok ? "ok" : aborted.kind, "engine", JSON.stringify(aborted));
  assert.equal(idleEngines(limits.memoryBytes), 0, "the aborted instance took the idle one and did not come back");
  assert.equal((await run("return 2")).ok, true);
});
