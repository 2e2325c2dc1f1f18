import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { openPostgres } from "../../src/store/database.ts";
import { adminPassword, freePort, testSecretKey } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");
const databaseUrl = process.env.DATABASE_URL;

describe("--workers: the primary's housekeeping during a database outage", () => {
  test("PostgreSQL gone: the primary says 'database unavailable' with its cause in one warning each time, as one process does, not 'housekeeping failed'", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, async () => {
    const target = new URL(databaseUrl!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const proxyPort = await proxy.start();
    const name = `portcullis_cluster_outage_${process.pid}`;
    const admin = openPostgres(databaseUrl!);
    await sql.raw(`create database ${name}`).execute(admin.db);
    const viaProxy = new URL(databaseUrl!);
    viaProxy.port = String(proxyPort);
    viaProxy.pathname = `/${name}`;
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: viaProxy.toString(), PORTCULLIS_SECRET_KEY: testSecretKey, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "silent", PORTCULLIS_TOKEN_CLEANUP_INTERVAL: "1", LANG: "C" };
    const child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", tempDir(), "--port", String(await freePort()), "--workers", "2"], { env, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    let stderr = "";
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          if (stderr.includes("Metadata:")) resolve();
        });
        void exited.then(() => reject(new Error(`start exited:\n${stderr}`)));
      });
      const before = stderr.length;
      await proxy.stop();
      // Housekeeping runs every second here, the import job every 2 s.
      await new Promise((r) => setTimeout(r, 3000));
      const lines = stderr.slice(before).split("\n").filter(Boolean);
      assert.ok(lines.length >= 2, stderr);
      for (const line of lines) assert.match(line, /^WARNING: database unavailable \((ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+|Connection terminated[^)]*)\); background jobs try again on their next run$/);
    } finally {
      await proxy.start(proxyPort);
      child.kill("SIGTERM");
      await exited;
      await proxy.stop();
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    }
  });
});
