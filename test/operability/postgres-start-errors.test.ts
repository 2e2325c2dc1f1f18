import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, testSecretKey } from "../support/instance.ts";
import { PasswordAskingPostgres } from "../support/password-asking-postgres.ts";
import { tempDir } from "../support/stores.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

/** The CLI in its own process, killed past `deadlineMs`: a process that does not end is what is under test. */
function cli(args: string[], databaseUrl: string, deadlineMs = 20_000): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PORTCULLIS_SECRET_KEY: testSecretKey, PORTCULLIS_ADMIN_PASSWORD: "an admin password", PORTCULLIS_LOG_LEVEL: "warn" };
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const deadline = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe("a PostgreSQL server start cannot use", () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("one that asks for a password DATABASE_URL does not give: start and client list end at once, the connection closed, not held until the server gives up", async () => {
    const server = new PasswordAskingPostgres();
    const port = await server.start();
    try {
      const url = `postgres://portcullis@127.0.0.1:${port}/portcullis`;
      const data = tempDir();
      dirs.push(data);
      for (const args of [["client", "list"], ["start", "--data", data, "--port", String(await freePort())]]) {
        const run = await cli(args, url);
        assert.equal(run.code, 1, `${args[0]}: ${run.stderr} (after ${run.ms} ms)`);
        assert.equal(server.open, 0, "every connection was closed by the client");
      }
    } finally {
      await server.stop();
    }
  });
});
