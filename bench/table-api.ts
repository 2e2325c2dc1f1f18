/**
 * Table API pagination on a large table: seeds `incident` with --rows records (default
 * 1 000 000) by bulk insert, serves the instance from a separate process, and measures
 * requests per second for a first page of 100, the same without the count, an indexed
 * equality query (caller_id), and Aggregate API counts (by state and priority, and of the
 * active ones), each one SQL aggregate over the whole table. SQLite by default; DATABASE_URL points it at PostgreSQL
 * (a fresh database is created on that server and dropped afterwards).
 *
 *   npm run build && node --import tsx bench/table-api.ts [--rows N] [--seconds S] [--connections C]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { parseClientCreate } from "../src/domain/oauth-entity.ts";
import { glideDateTime } from "../src/domain/sys-id.ts";
import { openInstance } from "../src/instance.ts";
import { openStore } from "../src/store/database.ts";
import { createClient, findClientBySysId } from "../src/store/oauth-entity-store.ts";
import { issueTokens } from "../src/store/token-store.ts";
import { benchSecretKey } from "./harness/portcullis.ts";
import { findUserByName } from "../src/store/user-store.ts";

const { values: options } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "8" },
  },
});
const rows = Number(options.rows);
const seconds = Number(options.seconds);
const connections = Number(options.connections);
const log = (line: string) => process.stderr.write(`${line}\n`);

async function postgresDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `portcullis_bench_table_${process.pid}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await run(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/** Inserts the incidents in batches inside one transaction per batch; a pool of 1000 callers makes equality queries selective. */
async function seed(dataDir: string, databaseUrl: string | undefined): Promise<{ token: string; caller: string }> {
  const config = loadConfig({ dataDir, databaseUrl, adminPassword: "bench admin password", logLevel: "silent" });
  const instance = await openInstance(config, { store: openStore({ dataDir, databaseUrl }) });
  const db = instance.store.db;
  const callers = Array.from({ length: 1000 }, () => randomBytes(16).toString("hex"));
  const started = Date.now();
  const batch = 500;
  const stamp = glideDateTime(Date.now());
  for (let offset = 0; offset < rows; offset += batch) {
    const values = [];
    for (let i = offset; i < Math.min(rows, offset + batch); i++) {
      values.push({
        sys_id: randomBytes(16).toString("hex"),
        sys_created_on: stamp,
        sys_created_by: "bench",
        sys_updated_on: stamp,
        sys_updated_by: "bench",
        sys_mod_count: 0,
        number: `INC${String(10001 + i).padStart(7, "0")}`,
        short_description: `Seeded incident ${i}`,
        description: "",
        state: 1 + (i % 3),
        priority: 1 + (i % 5),
        caller_id: callers[i % callers.length]!,
        assigned_to: null,
        active: 1,
      });
    }
    await db.insertInto("incident").values(values).execute();
    if (offset % 100_000 === 0 && offset > 0) log(`  seeded ${offset} rows`);
  }
  await db.updateTable("sys_number").set({ next_number: 10001 + rows }).where("table_name", "=", "incident").execute();
  log(`seeded ${rows} incidents in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const admin = (await findUserByName(db, "admin"))!;
  const created = await createClient(db, parseClientCreate({ name: "Table API bench", grant_types: ["password"], access_token_lifespan: 3600 }), "bench");
  const client = (await findClientBySysId(db, created.client.sysId))!;
  const issued = await issueTokens(db, { client, userSysId: admin.sysId, scope: "useraccount", grantType: "password", withRefreshToken: false }, "bench");
  await instance.store.close();
  return { token: issued.accessToken, caller: callers[0]! };
}

async function startServer(dataDir: string, databaseUrl: string | undefined, port: number): Promise<ChildProcess> {
  const env = { ...process.env, PORTCULLIS_LOG_LEVEL: "warn", ...(databaseUrl ? { DATABASE_URL: databaseUrl, PORTCULLIS_SECRET_KEY: benchSecretKey } : {}) };
  const child = spawn(process.execPath, ["bin/portcullis.js", "start", "--data", dataDir, "--port", String(port)], { env, stdio: ["ignore", "ignore", "inherit"] });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("the instance did not start");
}

/** Keeps `connections` requests in flight for `duration` seconds; every answer should be 200. */
async function measure(url: string, token: string, duration: number): Promise<{ rps: number; p50: number; p99: number; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const end = Date.now() + duration * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
      await res.arrayBuffer();
      if (res.status !== 200) failures++;
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), failures };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-table-"));
  const postgres = process.env.DATABASE_URL ? await postgresDatabase(process.env.DATABASE_URL) : undefined;
  let server: ChildProcess | undefined;
  try {
    const { token, caller } = await seed(dataDir, postgres?.url);
    const port = 18000 + Math.floor(Math.random() * 2000);
    server = await startServer(dataDir, postgres?.url, port);
    const base = `http://127.0.0.1:${port}/api/now/table/incident`;
    const stats = `http://127.0.0.1:${port}/api/now/stats/incident`;
    const scenarios: [string, string][] = [
      ["first page of 100, with X-Total-Count", `${base}?sysparm_limit=100`],
      ["first page of 100, sysparm_no_count", `${base}?sysparm_limit=100&sysparm_no_count=true`],
      ["page of 100 at offset 500 000", `${base}?sysparm_limit=100&sysparm_offset=${Math.floor(rows / 2)}&sysparm_no_count=true`],
      ["indexed equality caller_id=…, 100 of ~1000", `${base}?sysparm_limit=100&sysparm_query=caller_id%3D${caller}`],
      ["Aggregate API: count by state and priority (15 groups)", `${stats}?sysparm_count=true&sysparm_group_by=state,priority`],
      ["Aggregate API: count and average priority of active=true", `${stats}?sysparm_count=true&sysparm_avg_fields=priority&sysparm_query=active%3Dtrue`],
    ];
    console.log(`Table API on ${rows} incidents (${postgres ? "PostgreSQL" : "SQLite"}), ${connections} connections, ${seconds} s each`);
    console.log("| scenario | requests/s | p50 ms | p99 ms | non-200 |\n|---|---|---|---|---|");
    for (const [name, url] of scenarios) {
      await measure(url, token, Math.min(2, seconds));
      const r = await measure(url, token, seconds);
      console.log(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.failures} |`);
    }
  } finally {
    server?.kill();
    await postgres?.drop().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
