import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

/**
 * The script threads never hold a process open once their runs are done: a command that ran a
 * script, or a test file, must exit by itself. One did not when a thread's "message" listener
 * was added after it was unref'd (that refs its port again).
 */
test("a process that ran scripts on the script threads exits by itself", async () => {
  const pool = new URL("../../src/scripting/script-thread-pool.ts", import.meta.url).href;
  const program = `
    import { runScriptOnThread } from ${JSON.stringify(pool)};
    const limits = { timeoutMs: 2000, memoryBytes: 32 * 1024 * 1024, outputBytes: 65536, stackBytes: 262144, maxLogLines: 10, maxDataCalls: 10, maxDataCallsInFlight: 4, maxRowsRead: 100 };
    const host = { log() {}, data: async (operation, args) => ({ operation, args }) };
    const outcome = await runScriptOnThread({ requestJson: "{}", script: "return await table.get('incident', 'x')", filename: "exit.js" }, limits, host);
    process.stdout.write(JSON.stringify(outcome));
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
  const exited = await new Promise<number | "still running">((resolve) => {
    const timer = setTimeout(() => resolve("still running"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? -1);
    });
  });
  if (exited === "still running") child.kill("SIGKILL");
  assert.equal(exited, 0, `the process did not exit by itself after: ${stdout}`);
  const outcome = JSON.parse(stdout) as { ok: boolean; response: { body: { text: string } } };
  assert.equal(outcome.ok, true, stdout);
  assert.deepEqual(JSON.parse(outcome.response.body.text), { result: { operation: "get", args: ["incident", "x"] } });
});
