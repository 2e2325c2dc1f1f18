import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";
import { childPids } from "../support/child-pids.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");
const reloaded = /Reloaded the TLS certificate/;

interface Starting {
  child: ChildProcess;
  stderr(): string;
  /** The exit code, or the signal that ended the process. */
  exited: Promise<string>;
  /** Resolves once `pattern` has been printed `count` times; rejects, with what was printed, if the process ends first or a minute passes. */
  printed(pattern: RegExp, count?: number): Promise<void>;
}

/** `portcullis start --https` (the development CA) on a fresh data directory, not yet serving. */
async function startHTTPS(data: string, extra: string[] = []): Promise<Starting> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "warn", LANG: "C" };
  delete env.DATABASE_URL;
  const args = ["--import", "tsx", entry, "start", "--data", data, "--port", String(await freePort()), "--https", ...extra];
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const waiting = new Set<() => void>();
  child.stderr!.on("data", (d) => {
    stderr += d;
    for (const check of waiting) check();
  });
  const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(String(code ?? signal))));
  const printed = (pattern: RegExp, count = 1) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if ((stderr.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`))?.length ?? 0) < count) return;
        waiting.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`waited a minute for ${count}× ${pattern}:\n${stderr}`)), 60_000);
      waiting.add(check);
      void exited.then((how) => reject(new Error(`start exited (${how}) before ${count}× ${pattern}:\n${stderr}`)));
      check();
    });
  return { child, stderr: () => stderr, exited, printed };
}

async function stop(server: Starting): Promise<void> {
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, "0", server.stderr());
}

describe("kill -HUP during start-up is remembered, and reloads the certificate once serving, instead of killing start", () => {
  const dir = tempDir("portcullis-hangup-");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The admin line is printed as the store is migrated and its admin made, before the listener
  // is up (and, under --workers, before the development CA is made and the workers forked).
  const migrating = /Created user "admin"/;

  for (const workers of [1, 2]) {
    test(`${workers === 1 ? "one process" : "--workers 2"}: a SIGHUP while the store is migrated, then one reload per serving process`, async () => {
      const server = await startHTTPS(path.join(dir, `starting-${workers}`), ["--workers", String(workers)]);
      try {
        await server.printed(migrating);
        server.child.kill("SIGHUP");
        await server.printed(/^Metadata:/m);
        await server.printed(reloaded, workers);
        assert.ok(server.stderr().indexOf("Reloaded the TLS certificate") > server.stderr().indexOf("Listening on"), server.stderr());
        assert.equal(server.child.exitCode, null, "still serving");
      } finally {
        await stop(server);
      }
    });
  }

  test("--workers 2: a SIGHUP while a replaced worker starts reaches it once it serves, instead of killing it as Node loads it", async (t) => {
    const server = await startHTTPS(path.join(dir, "replaced"), ["--workers", "2"]);
    try {
      await server.printed(/^Metadata:/m);
      const workers = childPids(server.child.pid!);
      if (!workers) return t.skip("reads worker pids from /proc");
      process.kill(workers[0]!, "SIGKILL");
      // Printed as the replacement is forked: it has yet to load, let alone listen for SIGHUP.
      await server.printed(/Worker \d+ exited \(SIGKILL\); starting another/);
      server.child.kill("SIGHUP");
      await server.printed(reloaded, 2);
      assert.doesNotMatch(server.stderr(), /before it started serving/);
      const now = childPids(server.child.pid!)!;
      assert.equal(now.length, 2, `two workers serve: ${now.join(", ")}\n${server.stderr()}`);
      assert.ok(!now.includes(workers[0]!));
    } finally {
      await stop(server);
    }
  });
});
