import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { idleEngines, runScript, type SandboxLimits } from "../../src/scripting/script-sandbox.ts";
import { freePort, type TestInstance } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";
import { api } from "../support/table-api.ts";

/**
 * A script that closes the function it is the body of is refused when saved, but one stored
 * before that check (or straight into the database) must still never run: its code would run
 * outside the function the sandbox wraps it in. Here it is written into the SQLite file of a
 * running `portcullis start`, as an older version would have left it.
 */
const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");
const adminPassword = "an admin password";
const escape = "}); for (;;) {} (function () {";
const where = "SyntaxError: the script closes more brackets or blocks than it opens: a '}' too many (line 1, column 1)";

interface LogLine {
  level: number;
  msg: string;
  resource?: string;
}

describe("a stored script that closes its function, written into a running instance's database", () => {
  const data = tempDir();
  let child: ChildProcess;
  let stdout = "";
  let server: TestInstance;
  let definition: string;
  const authorization = `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`;

  before(async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "warn", PORTCULLIS_SCRIPT_TIMEOUT_MS: "20000" };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", data, "--port", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk));
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on("data", (d) => {
        stderr += d;
        if (stderr.includes("Metadata:")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`start exited (${code}):\n${stderr}`)));
    });
    server = { base: `http://127.0.0.1:${port}` } as TestInstance;
    const def = await api(server, "POST", "/api/now/table/sys_ws_definition", { authorization, body: { name: "Legacy", namespace: "x_legacy", service_id: "v1" } });
    assert.equal(def.status, 201, def.text);
    definition = def.body.result.sys_id;
    const kept = await api(server, "POST", "/api/now/table/sys_ws_operation", { authorization, body: { name: "kept", web_service_definition: definition, http_method: "GET", relative_path: "/kept", operation_script: "return 'kept';" } });
    assert.equal(kept.status, 201, kept.text);
    // The script threads start with the first run; timings below are of the runs after.
    assert.equal((await api(server, "GET", "/api/x_legacy/v1/kept", { authorization })).status, 200);
  });
  after(async () => {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode === null ? child.on("exit", resolve) : resolve(null)));
  });

  /** As an older version saved it: a row in sys_ws_operation, no check made. */
  function storeDirectly(name: string, relativePath: string, script: string): void {
    const db = new SQLite(path.join(data, "portcullis.sqlite"));
    try {
      db.pragma("busy_timeout = 5000");
      const now = "2025-06-01 00:00:00";
      db.prepare(
        "insert into sys_ws_operation (sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by, sys_mod_count, web_service_definition, name, http_method, relative_path, operation_script) values (?, ?, 'admin', ?, 'admin', 0, ?, ?, 'GET', ?, ?)",
      ).run(randomBytes(16).toString("hex"), now, now, definition, name, relativePath, script);
    } finally {
      db.close();
    }
  }

  async function logLines(): Promise<LogLine[]> {
    // Log lines reach standard output in blocks, within about a second.
    await sleep(1500);
    return stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as LogLine);
  }

  test("is not run: the resource answers 500 saying what is wrong, without the script, and the log has one warning naming it", async () => {
    storeDirectly("escaped", "/escaped", escape);
    const started = Date.now();
    const res = await api(server, "GET", "/api/x_legacy/v1/escaped", { authorization });
    assert.ok(Date.now() - started < 10_000, "answered well before the script's time limit: its loop never ran");
    assert.equal(res.status, 500, res.text);
    assert.equal(res.body.status, "failure");
    assert.equal(res.body.error.message, 'Script error in resource "escaped" (GET /api/x_legacy/v1/escaped) of the API "Legacy"');
    assert.ok(res.body.error.detail.startsWith(`the stored script is not run: ${where}. A save refuses such a script`), res.body.error.detail);
    assert.ok(!res.text.includes("for (;;)"), "the script itself is not shown");

    const lines = (await logLines()).filter((l) => l.resource === "escaped");
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!.level, 40);
    assert.ok(lines[0]!.msg.includes('resource "escaped" (GET /api/x_legacy/v1/escaped) of the API "Legacy"'), lines[0]!.msg);
    assert.ok(lines[0]!.msg.includes(where), lines[0]!.msg);
    assert.ok(!stdout.includes("for (;;)"), "nor logged");

    // Judged once per thread, refused every time; the other resources are served.
    for (let i = 0; i < 3; i++) assert.equal((await api(server, "GET", "/api/x_legacy/v1/escaped", { authorization })).status, 500);
    assert.equal((await api(server, "GET", "/api/x_legacy/v1/kept", { authorization })).body.result, "kept");
    assert.equal((await logLines()).filter((l) => l.resource === "escaped").length, 4, "one warning per refused request");
  });

  test("a template whose answering form would close the function runs as written, which does not compile", async () => {
    // As written this does not compile; returned as the template's value (process-template.ts) it would close the function.
    storeDirectly("template", "/template", "(function process(request, response) { }))}); for (;;) {} (function () { ((function () {})(request, response)");
    const started = Date.now();
    const res = await api(server, "GET", "/api/x_legacy/v1/template", { authorization });
    assert.ok(Date.now() - started < 10_000, "answered well before the script's time limit: its loop never ran");
    assert.equal(res.status, 500, res.text);
    assert.equal(res.body.error.detail, "the script threw an error");
  });

  test("once its script is saved again, corrected, it runs", async () => {
    const found = await api(server, "GET", "/api/now/table/sys_ws_operation?sysparm_query=name=escaped&sysparm_fields=sys_id", { authorization });
    const sysId = found.body.result[0].sys_id as string;
    const asItIs = await api(server, "PATCH", `/api/now/table/sys_ws_operation/${sysId}`, { authorization, body: { operation_script: escape } });
    assert.equal(asItIs.status, 400, "saving it as it is is refused");
    assert.equal((await api(server, "PATCH", `/api/now/table/sys_ws_operation/${sysId}`, { authorization, body: { operation_script: "return 'fixed';" } })).status, 200);
    const res = await api(server, "GET", "/api/x_legacy/v1/escaped", { authorization });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.result, "fixed");
  });
});

describe("the sandbox's verdict on a script that closes its function", () => {
  // A memory size of its own gives these runs a pool of their own.
  const limits: SandboxLimits = { timeoutMs: 5000, memoryBytes: 35 * 1024 * 1024, outputBytes: 1024 * 1024, stackBytes: 256 * 1024, maxLogLines: 10, maxDataCalls: 10, maxDataCallsInFlight: 4, maxRowsRead: 100 };
  const host = { log() {}, data: async () => null };
  const run = (script: string, filename: string) => runScript({ requestJson: "{}", script, filename }, limits, host);

  test("is made once per resource and script: a later run is refused before it takes an engine", async () => {
    assert.equal((await run("return 1", "other.js")).ok, true);
    assert.equal(idleEngines(limits.memoryBytes), 1);
    const first = await run(escape, "closing.js");
    assert.deepEqual(first, { ok: false, kind: "closes-function", message: where, stack: "" });
    assert.equal(idleEngines(limits.memoryBytes), 0, "the first run judged it in an engine");
    assert.equal((await run("return 2", "other.js")).ok, true);
    assert.equal(idleEngines(limits.memoryBytes), 1);
    assert.deepEqual(await run(escape, "closing.js"), first);
    assert.equal(idleEngines(limits.memoryBytes), 1, "the second took none");
    const edited = await run("return 3", "closing.js");
    assert.ok(edited.ok && edited.response.body?.text === '{"result":3}', JSON.stringify(edited));
  });
});
