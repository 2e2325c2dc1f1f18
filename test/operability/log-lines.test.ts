import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { completedRequestLine } from "../../src/http/request-log.ts";
import { LineBatch } from "../../src/log-line-batch.ts";
import { requestLinesLogged } from "../../src/log.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The line pino writes for the same fields: the form every other server-log line has. */
function pinoLine(fields: Record<string, unknown>): Record<string, unknown> {
  let written = "";
  pino({ level: "info" }, { write: (line: string) => void (written = line) }).info(fields, "request completed");
  return JSON.parse(written) as Record<string, unknown>;
}

describe("completed-request lines", () => {
  const cases: [string, string, string, string | undefined, number, number][] = [
    ["req-1", "GET", "/api/now/v1/whoami", "127.0.0.1", 200, 1.2345],
    ["req-2", "POST", '/api/now/table/u_"quoted"\\back\nline/é/\u2028', "::1", 404, 0.000123],
    ["req-3", "GET", "/", undefined, 500, 12345.6789],
  ];
  for (const [reqId, method, path, ip, statusCode, responseTime] of cases) {
    test(`match pino's own line for ${JSON.stringify(path)}, field for field and in order`, () => {
      const line = completedRequestLine(reqId, method, path, ip, statusCode, responseTime);
      assert.ok(line.endsWith("}\n"));
      const ours = JSON.parse(line) as Record<string, unknown>;
      const theirs = pinoLine({ reqId, req: { method, path, ip }, res: { statusCode }, responseTime });
      assert.ok(Math.abs((ours.time as number) - (theirs.time as number)) < 5_000);
      assert.deepEqual({ ...ours, time: 0 }, { ...theirs, time: 0 });
      assert.deepEqual(Object.keys(ours), Object.keys(theirs));
    });
  }

  test("are written at info and below, not at warn, error or silent", () => {
    assert.deepEqual(["trace", "debug", "info", "warn", "error", "fatal", "silent"].map(requestLinesLogged), [true, true, true, false, false, false, false]);
  });
});

describe("log lines gathered into blocks", () => {
  test("reach the destination in order, a block once about 4 KiB is gathered, the rest on flush", () => {
    const blocks: string[] = [];
    const batch = new LineBatch({ write: (block: string) => void blocks.push(block) }, 4096);
    const lines = Array.from({ length: 100 }, (_, i) => `${JSON.stringify({ n: i, pad: "x".repeat(90) })}\n`);
    for (const line of lines) batch.write(line);
    assert.ok(blocks.length >= 2 && blocks.length <= 3, `${blocks.length} blocks`);
    assert.ok(blocks.every((block) => block.length >= 4096));
    batch.flush();
    assert.equal(blocks.join(""), lines.join(""));
    batch.flush();
    assert.equal(blocks.join(""), lines.join(""), "a flush with nothing gathered writes nothing");
  });

  const script = `
    import { bufferedStdout } from "./src/log.ts";
    const out = bufferedStdout();
    for (let i = 0; i < 5; i++) out.write(JSON.stringify({ n: i }) + "\\n");
    if (process.argv[1] === "stay") setInterval(() => {}, 1000);
    else if (process.argv[1] === "throw") setTimeout(() => { throw new Error("boom"); }, 10);
    else process.exit(0);
  `;
  const numbers = (stdout: string) => stdout.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);

  test("on standard output, are all written when the process exits or dies of an exception", () => {
    for (const mode of ["exit", "throw"]) {
      const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, mode], { cwd: root, encoding: "utf8" });
      assert.deepEqual(numbers(run.stdout), [0, 1, 2, 3, 4], `${mode}: ${run.stdout} ${run.stderr}`);
    }
  });

  test("on standard output, are written within about a second by a process that goes on running", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, "stay"], { cwd: root });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk));
    try {
      const deadline = Date.now() + 10_000;
      while (numbers(stdout).length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(numbers(stdout), [0, 1, 2, 3, 4]);
    } finally {
      // SIGKILL runs no exit handler: what arrived came from the timer.
      child.kill("SIGKILL");
    }
  });
});
