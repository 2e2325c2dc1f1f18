import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { SandboxLimits, ScriptOutcome } from "../../src/scripting/sandbox-contract.ts";
import { runScriptOnThread } from "../../src/scripting/script-thread-pool.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * GlideRecord's calls block the script thread (sync-call.ts), where the interrupt handler
 * cannot reach: the time limit must still end a script looping between them or waiting in one.
 */
const timeoutMs = 1000;
const loops = {
  // Work between the calls keeps the run under its 1000 data calls, so the time limit is what ends it.
  "between calls": "for (;;) { var g = new GlideRecord('incident'); g.setLimit(1); g.query(); g.next(); for (var i = 0; i < 100000; i++) {} }",
  "catching the out-of-time error": "for (;;) { try { var g = new GlideRecord('incident'); g.query(); while (g.next()) { g.short_description.toString(); } } catch (e) {} }",
};
type Name = keyof typeof loops;

for (const dialect of dialectsUnderTest()) {
  describe(`GlideRecord under the time limit on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect, { scriptTimeoutMs: timeoutMs });
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_gloop", "t", Object.entries(loops).map(([name, script], i) => ({ name, http_method: "GET", relative_path: `/s${i}`, operation_script: script })));
      for (let i = 0; i < 5; i++) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: ada.token, body: { short_description: `seed ${i}` } })).status, 201);
    });
    after(() => server.close());

    for (const [i, name] of (Object.keys(loops) as Name[]).entries()) {
      test(`a script looping ${name} is stopped at the time limit`, async () => {
        const started = Date.now();
        const res = await api(server, "GET", `/api/x_gloop/t/s${i}`, { token: ada.token });
        const ms = Date.now() - started;
        assert.equal(res.status, 500, res.text);
        assert.match(res.body.error.message, new RegExp(`Script error in resource "${name}"`));
        assert.equal(res.body.error.detail, "the script ran longer than its time limit");
        assert.ok(ms < 10 * timeoutMs, `took ${ms} ms`);
        assert.equal((await api(server, "GET", "/api/now/table/incident?sysparm_limit=1", { token: ada.token })).status, 200);
      });
    }
  });
}

describe("a GlideRecord call waits no longer than the run's time limit", () => {
  test("a slow call ends the run at its limit, and a run sharing the thread goes on from there, not after the call", async () => {
    const limits: SandboxLimits = { timeoutMs: 500, memoryBytes: 32 * 1024 * 1024, outputBytes: 65536, stackBytes: 262144, maxLogLines: 10, maxDataCalls: 100, maxDataCallsInFlight: 4, maxRowsRead: 100 };
    const slowMs = 4000;
    let calls = 0;
    const slow = { log() {}, data: () => new Promise<unknown>((resolve) => setTimeout(() => resolve([]), slowMs, calls++)) };
    const quick = { log() {}, data: async () => [] };
    const started = Date.now();
    const run = (script: string, host: typeof slow) => runScriptOnThread({ requestJson: "{}", script, filename: "slow.js" }, limits, host).then((outcome): [ScriptOutcome, number] => [outcome, Date.now() - started]);
    // One on each of the two threads, so the quick run below shares a thread with a waiting one.
    const waiting = [0, 1].map(() => run("for (;;) { try { new GlideRecord('incident').query(); } catch (e) {} }", slow));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [shared, sharedMs] = await run("var g = new GlideRecord('incident'); g.query(); return g.next();", quick);
    assert.deepEqual(shared.ok && JSON.parse(shared.response.body!.text), { result: false });
    assert.ok(sharedMs < slowMs - 1000, `the run sharing a waiting thread answered after ${sharedMs} ms`);
    for (const [outcome, ms] of await Promise.all(waiting)) {
      assert.equal(outcome.ok ? "ok" : outcome.kind, "timeout");
      // The answer still waits for the call already started, so no write lands after it.
      assert.ok(ms >= slowMs && ms < slowMs + 2000, `answered after ${ms} ms`);
    }
    assert.equal(calls, 2, "no call starts once the time is up");
  });
});
