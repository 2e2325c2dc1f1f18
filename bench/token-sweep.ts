/**
 * Issuance while the expired-token sweep runs (issue 6: "expired tokens cleaned up in the
 * background without stalls"). Seeds --tokens access tokens that expired two days ago, starts
 * Portcullis with housekeeping every 3 s, and drives client_credentials at --connections in
 * one-second slices until the sweep has removed them all and a few slices more. Reports
 * requests/s, p99/max latency and the server's longest event-loop stall (from its /metrics) of
 * the slices during the sweep beside those before it began and after it ended, and writes them
 * to bench/results/<stamp>-token-sweep.json. SQLite by default; DATABASE_URL points it at
 * PostgreSQL.
 *
 *   npm run build && node --import tsx bench/token-sweep.ts [--tokens N] [--connections C]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { openStore } from "../src/store/database.ts";
import { type Outcome, startLoadGenerator } from "./harness/load-generator.ts";
import { benchSecretKey, preparePortcullis } from "./harness/portcullis.ts";
import { canPin, cpuMs, freePort, spawnNode, type Started, waitForHttp } from "./harness/processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: options } = parseArgs({ options: { tokens: { type: "string", default: "1000000" }, connections: { type: "string", default: "64" }, "after-slices": { type: "string", default: "5" } } });
const tokens = Number(options.tokens);
const connections = Number(options.connections);
const log = (line: string) => process.stderr.write(`${line}\n`);
const twoCores = os.availableParallelism() >= 2;
/** Long enough for the warm-up and two slices before the first sweep. */
const cleanupIntervalSeconds = 5;

interface Slice extends Outcome {
  second: number;
  /** Expired tokens still stored when the slice ended. */
  remaining: number;
  /** The server's longest event-loop delay in the slice, in ms: a stall of the server itself, where latency also counts the load generator's own pauses. */
  stallMs: number;
  /** Server CPU seconds per second of the slice: well under 1 means it waited for requests (the load generator or the machine set the pace). */
  busy: number;
  phase: "before" | "sweep" | "after";
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
};

function summary(slices: Slice[]) {
  return { slices: slices.length, medianRps: Math.round(median(slices.map((s) => s.rps))), worstP99: Math.max(0, ...slices.map((s) => s.p99)), medianP99: median(slices.map((s) => s.p99)), max: Math.max(0, ...slices.map((s) => s.max)), worstStallMs: Math.max(0, ...slices.map((s) => s.stallMs)), medianStallMs: median(slices.map((s) => s.stallMs)), errors: slices.reduce((n, s) => n + s.errors + s.non2xx, 0) };
}

async function main(): Promise<void> {
  const postgresUrl = process.env.DATABASE_URL || undefined;
  log(`Expired-token sweep: ${tokens.toLocaleString("en")} expired tokens, client_credentials at c=${connections} in 1-s slices, ${postgresUrl ? "PostgreSQL" : "SQLite"}`);
  const setup = await preparePortcullis("sweep", { storedTokens: tokens, expired: true, log, ...(postgresUrl ? { postgresUrl } : {}) });
  const processes: Started[] = [];
  const store = openStore({ dataDir: setup.dataDir, databaseUrl: setup.databaseUrl || undefined });
  try {
    const loadGenerator = await startLoadGenerator(twoCores ? "1" : undefined);
    processes.push(loadGenerator.started);
    const port = await freePort();
    const env = { DATABASE_URL: setup.databaseUrl, ...(setup.databaseUrl ? { PORTCULLIS_SECRET_KEY: benchSecretKey } : {}), PORTCULLIS_TOKEN_CLEANUP_INTERVAL: String(cleanupIntervalSeconds), PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "1000000000", PORTCULLIS_RATE_LIMIT_TOKEN_PER_IP: "1000000000" };
    const server = spawnNode([path.join(root, "bin/portcullis.js"), "start", "--data", setup.dataDir, "--port", String(port)], { cpus: twoCores ? "0" : undefined, env });
    processes.push(server);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/.well-known/oauth-authorization-server`, server);
    const job = { method: "POST" as const, path: "/oauth_token.do", headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${setup.service.clientId}:${setup.service.secret}`).toString("base64")}` }, body: "grant_type=client_credentials" };
    // Only the seeded tokens are older than a day; what the load issues stays.
    const remaining = async () => Number((await sql<{ n: number }>`select count(*) as n from oauth_credential where expires_at < ${Date.now() - 86400_000}`.execute(store.db)).rows[0]!.n);

    // prom-client resets the event-loop histogram at every scrape, so each read covers the time since the last.
    const stallMs = async () => {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const line = /^portcullis_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(metrics);
      return line ? Math.round(Number(line[1]) * 1000) : 0;
    };

    // Two seconds to warm the JIT; the first housekeeping run comes later, so the first slices
    // measure the server warm and before the sweep (they were counted as the sweep's before).
    await loadGenerator.run(base, job, connections, 2);
    await stallMs();
    const walFile = path.join(setup.dataDir, "portcullis.sqlite-wal");
    const walMiB = () => (postgresUrl || !fs.existsSync(walFile) ? null : fs.statSync(walFile).size / 2 ** 20);
    const slices: Slice[] = [];
    const started = Date.now();
    let after = 0;
    let lastRemaining = tokens;
    while (after < Number(options["after-slices"]) && Date.now() - started < 600_000) {
      const cpuBefore = cpuMs(server.child.pid!);
      const sliceStarted = performance.now();
      const outcome = await loadGenerator.run(base, job, connections, 1);
      const busy = Math.round(((cpuMs(server.child.pid!) - cpuBefore) / (performance.now() - sliceStarted)) * 100) / 100;
      const stall = await stallMs();
      const left = await remaining();
      // A slice belongs to the sweep from the first in which tokens went until the one in which the last went.
      const phase = left === tokens ? "before" : lastRemaining > 0 ? "sweep" : "after";
      if (phase === "after") after++;
      slices.push({ ...outcome, second: Math.round((Date.now() - started) / 1000), remaining: left, stallMs: stall, busy, phase });
      const wal = walMiB();
      log(`  ${String(slices.at(-1)!.second).padStart(4)} s  ${String(Math.round(outcome.rps)).padStart(6)} req/s  p99 ${String(outcome.p99).padStart(4)} ms  max ${String(outcome.max).padStart(5)} ms  stall ${String(stall).padStart(4)} ms  busy ${busy.toFixed(2)}  ${left.toLocaleString("en").padStart(10)} expired left${wal === null ? "" : `  WAL ${wal.toFixed(1)} MiB`}`);
      lastRemaining = left;
    }
    const before = summary(slices.filter((s) => s.phase === "before"));
    const during = summary(slices.filter((s) => s.phase === "sweep"));
    const afterSweep = summary(slices.filter((s) => s.phase === "after"));
    const sweepSeconds = slices.filter((s) => s.phase === "sweep").length;
    const result = { tokens, connections, sweepSeconds, removedPerSecond: sweepSeconds ? Math.round(tokens / sweepSeconds) : null, before, during, after: afterSweep, ratioRps: afterSweep.medianRps ? +(during.medianRps / afterSweep.medianRps).toFixed(2) : null, slices };
    process.stdout.write(
      `\nExpired-token sweep (${tokens.toLocaleString("en")} tokens removed in about ${sweepSeconds} s while issuing at c=${connections}):\n` +
        ([["before it", before], ["during the sweep", during], ["after it", afterSweep]] as const)
          .map(([name, s]) => `  ${`${name}:`.padEnd(18)}median ${s.medianRps} req/s, p99 median ${s.medianP99} ms worst ${s.worstP99} ms, max ${s.max} ms, server stall median ${s.medianStallMs} ms worst ${s.worstStallMs} ms, ${s.errors} errors\n`)
          .join("") +
        `  issuance during ÷ after: ${result.ratioRps}\n`,
    );
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    const file = path.join(root, "bench/results", `${stamp}-token-sweep.json`);
    const command = `${postgresUrl ? "DATABASE_URL=postgres://… " : ""}node --import tsx bench/token-sweep.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
    fs.writeFileSync(file, `${JSON.stringify({ command, date: new Date().toISOString(), pinned: canPin && twoCores, ...result }, null, 2)}\n`);
    log(`Results written to ${path.relative(root, file)}`);
  } finally {
    await store.close();
    await Promise.all(processes.map((p) => p.stop()));
    await setup.dispose();
  }
}

main().catch((error: unknown) => {
  log(String((error as Error)?.stack ?? error));
  process.exitCode = 1;
});
