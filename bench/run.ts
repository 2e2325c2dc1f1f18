// `npm run bench`: Portcullis beside a bare node:http ceiling and two well-known peers, on loopback,
// interleaved, several rounds; medians and ratios to stdout and bench/results/. See README "Benchmarks".
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { canPin, cpuMs, freePort, rssMiB, spawnNode, type Started, waitForHttp, waitForQuiet } from "./harness/processes.ts";
import { startLoadGenerator } from "./harness/load-generator.ts";
import { benchSecretKey, benchVerifier, fetchToken, type PortcullisSetup, preparePortcullis } from "./harness/portcullis.ts";
import { type Cell, checkTargets, formatTable, ratios, type RunResult, summarize } from "./harness/report.ts";
import { type Job, removeValueFiles, type ServerUnderTest, scenarios, tableApiAvailable } from "./harness/scenarios.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    duration: { type: "string" },
    only: { type: "string" },
    workers: { type: "string", default: "2" },
    "skip-10m": { type: "boolean", default: false },
    /** Writes a V8 CPU profile of every Portcullis process into this directory (open in Chrome DevTools or speedscope). */
    profile: { type: "string" },
  },
});
const quick = args.quick!;
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const duration = Number(args.duration ?? (quick ? 1 : 5));
// autocannon runs whole seconds (a 0.3 s job lasts 1 s), so the quick warm-up is one second.
const warmup = quick ? 1 : 2;
// --quick keeps to the concurrency the targets are set at, to stay within two minutes.
const connectionLevels = quick ? [64] : [16, 64];
const postgresUrl = process.env.DATABASE_URL || undefined;
const wantedScenarios = scenarios.filter((s) => !args.only || args.only.split(",").includes(s.name));
/** Progress on stderr, each line stamped with the seconds since the run began. */
const log = (line: string) => {
  const blank = /^\n*/.exec(line)![0];
  process.stderr.write(`${blank}[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${line.slice(blank.length)}\n`);
};
const startedAt = Date.now();

// Servers on core 0, the load generator on core 1: neither steals the other's CPU.
const twoCores = os.availableParallelism() >= 2;
const serverCpus = twoCores ? "0" : undefined;
const loadCpus = twoCores ? "1" : undefined;

const processes: Started[] = [];
const setups: PortcullisSetup[] = [];

async function startPeer(name: ServerUnderTest["kind"], script: string, clients: [string, string][], creds: PortcullisSetup): Promise<ServerUnderTest> {
  const port = await freePort();
  const started = spawnNode([path.join(root, "bench/servers", script)], { cpus: serverCpus, env: { PORT: String(port), CLIENTS: JSON.stringify(clients), VERIFIER: benchVerifier, NODE_ENV: "production" } });
  processes.push(started);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(base, started);
  return { name, kind: name, base, pid: started.child.pid!, storedTokens: 0, workers: 1, service: creds.service, userClient: creds.userClient };
}

async function startPortcullis(name: string, setup: PortcullisSetup, storedTokens: number, workers: number): Promise<ServerUnderTest> {
  const port = await freePort();
  const profiling = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
  const argv = [...profiling, path.join(root, "bin/portcullis.js"), "start", "--data", setup.dataDir, "--port", String(port), ...(workers > 1 ? ["--workers", String(workers)] : [])];
  // A cluster gets every core: that is the point of it. The load generator then shares one.
  // Rate limits stay on (their counting is part of every token request's cost) but set so high
  // that the load never meets them: the peers have none, and a 429 is not a token.
  const limits = { PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "1000000000", PORTCULLIS_RATE_LIMIT_TOKEN_PER_IP: "1000000000" };
  const started = spawnNode(argv, { cpus: workers > 1 ? undefined : serverCpus, env: { DATABASE_URL: setup.databaseUrl, ...(setup.databaseUrl ? { PORTCULLIS_SECRET_KEY: benchSecretKey } : {}), ...limits } });
  processes.push(started);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/.well-known/oauth-authorization-server`, started);
  const server: ServerUnderTest = { name, kind: "portcullis", base, pid: started.child.pid!, setup, storedTokens, workers, service: setup.service, userClient: setup.userClient };
  server.userToken = await fetchToken(base, setup.userClient);
  server.serviceToken = await fetchToken(base, setup.service);
  const table = await fetch(`${base}/api/now/table/sys_user/${setup.adminSysId}`, { headers: { authorization: `Bearer ${server.userToken}`, accept: "application/json" } });
  if (table.status === 200) tableApiAvailable.add(name);
  return server;
}


async function main(): Promise<void> {
  // `--only table-api` or `--only token-sweep` asks for no token cell: nothing to seed or start here.
  if (wantedScenarios.length === 0) return;
  log(`Portcullis bench: ${quick ? "quick" : "full"}, ${rounds} round(s) × ${duration} s per run, concurrency ${connectionLevels.join(" and ")}, ${canPin && twoCores ? "servers pinned to core 0, load generator to core 1" : "no CPU pinning"}`);
  const loadGenerator = await startLoadGenerator(loadCpus);
  processes.push(loadGenerator.started);
  const run = loadGenerator.run;

  const variants: { name: string; stored: number; workers: number; postgres: boolean }[] = [
    { name: "portcullis-sqlite", stored: 0, workers: 1, postgres: false },
    { name: "portcullis-sqlite-1M", stored: 1_000_000, workers: 1, postgres: false },
    ...(quick || args["skip-10m"] ? [] : [{ name: "portcullis-sqlite-10M", stored: 10_000_000, workers: 1, postgres: false }]),
    ...(Number(args.workers) > 1 ? [{ name: `portcullis-sqlite-w${args.workers}`, stored: 0, workers: Number(args.workers), postgres: false }] : []),
    ...(postgresUrl ? [{ name: "portcullis-postgres", stored: 0, workers: 1, postgres: true }] : []),
  ];
  const servers: ServerUnderTest[] = [];
  for (const v of variants) {
    const setup = await preparePortcullis(v.name, { storedTokens: v.stored, log, ...(v.postgres ? { postgresUrl: postgresUrl! } : {}) });
    setups.push(setup);
    servers.push(await startPortcullis(v.name, setup, v.stored, v.workers));
  }
  const main = setups[0]!;
  const clients: [string, string][] = [[main.service.clientId, main.service.secret], [main.userClient.clientId, main.userClient.secret]];
  servers.unshift(await startPeer("ceiling", "ceiling.js", clients, main), await startPeer("fastify-floor", "fastify-floor.js", clients, main), await startPeer("oidc-provider", "oidc-provider.js", clients, main), await startPeer("oauth2-server", "oauth2-server.js", clients, main));
  const oidc = servers.find((s) => s.kind === "oidc-provider")!;
  oidc.serviceToken = await fetchToken(oidc.base, main.service);
  log(`Servers up in ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${servers.map((s) => s.name).join(", ")}`);

  const results = new Map<string, RunResult[]>();
  const lastRate = new Map<string, number>();
  const quietWaits: number[] = [];
  const once = async (scenario: (typeof scenarios)[number], server: ServerUnderTest, connections: number, seconds: number) => {
    const key = `${scenario.name}|${server.name}`;
    // One-time values (refresh tokens, codes) must not run out: a reused one is a failure by design.
    // The last rate is a poor guide on a busy machine, so seed for twice it, and never fewer than 5 000/s.
    const needed = Math.ceil(Math.max((lastRate.get(key) ?? 0) * 2, 5000) * seconds) + 1000;
    const job = await scenario.job(server, needed);
    const waited = quick ? await waitForQuiet(3000, 0.08, 100) : await waitForQuiet();
    quietWaits.push(waited);
    const cpuBefore = cpuMs(server.pid);
    const outcome = await run(server.base, job, connections, seconds);
    const cpuUs = outcome.total > 0 ? ((cpuMs(server.pid) - cpuBefore) * 1000) / outcome.total : 0;
    lastRate.set(key, outcome.rps);
    return { ...outcome, rssMiB: rssMiB(server.pid), cpuUs };
  };

  for (const scenario of wantedScenarios) {
    for (const server of servers.filter((s) => scenario.includes(s))) await once(scenario, server, 64, warmup);
  }
  for (let round = 0; round < rounds; round++) {
    log(`Round ${round + 1}/${rounds} (${((Date.now() - startedAt) / 1000).toFixed(0)} s elapsed)`);
    for (const scenario of wantedScenarios) {
      const taking = servers.filter((s) => scenario.includes(s));
      // Rotate the order each round so no server always runs right after the same neighbour.
      const order = taking.map((_, i) => taking[(i + round) % taking.length]!);
      for (const connections of connectionLevels) {
        for (const server of order) {
          const result = await once(scenario, server, connections, duration);
          const key = `${scenario.name}|${server.name}|${connections}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          log(`  ${scenario.name} ${server.name} c=${connections}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms, ${Math.round(result.cpuUs)} µs CPU/req${result.non2xx + result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ""}`);
        }
      }
    }
  }

  const cells: Cell[] = [];
  for (const scenario of wantedScenarios) {
    for (const connections of connectionLevels) {
      for (const server of servers) {
        const list = results.get(`${scenario.name}|${server.name}|${connections}`);
        if (list) cells.push(summarize(scenario.name, server.name, connections, list));
      }
    }
  }
  const ratioList = ratios(cells);
  const targets = checkTargets(cells);
  const elapsed = Math.round((Date.now() - startedAt) / 1000);
  const quiet = { totalMs: quietWaits.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...quietWaits) };
  process.stdout.write(`${formatTable(cells, ratioList, targets)}\n\nWhole run: ${elapsed} s, of which ${(quiet.totalMs / 1000).toFixed(0)} s waiting for a quiet machine before cells (longest ${(quiet.maxMs / 1000).toFixed(1)} s)\n`);

  const command = `${postgresUrl ? "DATABASE_URL=postgres://… " : ""}npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  const file = path.join(root, "bench/results", `${stamp}-${quick ? "quick" : "full"}.json`);
  const machine = { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version, pinned: canPin && twoCores };
  const versions = Object.fromEntries(["oidc-provider", "@node-oauth/oauth2-server", "autocannon", "fastify", "better-sqlite3"].map((p) => [p, JSON.parse(fs.readFileSync(path.join(root, "node_modules", p, "package.json"), "utf8")).version]));
  const commit = (() => {
    try {
      return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  })();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ command, date: new Date().toISOString(), commit, durationSeconds: elapsed, settings: { quick, rounds, duration, warmup, connectionLevels, postgres: Boolean(postgresUrl), quietWaits: quiet }, machine, versions, targets, ratios: ratioList, cells }, null, 2)}\n`);
  log(`Results written to ${path.relative(root, file)}`);
}

async function shutdown(): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
  for (const setup of setups) await setup.dispose().catch(() => {});
  removeValueFiles();
}

/**
 * The Table API scenario (issue 3): pagination, an indexed equality query and Aggregate API counts on a seeded
 * `incident` table, 1 000 000 rows (20 000 in --quick). It runs after the token scenarios,
 * in its own process, so its seeding does not disturb them.
 */
function runTableApiBench(): void {
  if (args.only && !args.only.split(",").includes("table-api")) return;
  const argv = ["--import", "tsx", path.join(root, "bench/table-api.ts"), "--rows", quick ? "20000" : "1000000", "--seconds", quick ? "1" : "5"];
  log(`\nTable API: ${argv.slice(3).join(" ")}`);
  const result = spawnSync(process.execPath, argv, { stdio: "inherit", cwd: root });
  if (result.status !== 0) process.exitCode = 1;
}

/**
 * Issuance while the expired-token sweep removes 1 000 000 expired tokens (50 000 in --quick),
 * in its own process (bench/token-sweep.ts), after the others.
 */
function runTokenSweepBench(): void {
  if (args.only && !args.only.split(",").includes("token-sweep")) return;
  const argv = ["--import", "tsx", path.join(root, "bench/token-sweep.ts"), "--tokens", quick ? "50000" : "1000000", "--after-slices", quick ? "1" : "5"];
  log(`\nExpired-token sweep: ${argv.slice(3).join(" ")}`);
  const result = spawnSync(process.execPath, argv, { stdio: "inherit", cwd: root });
  if (result.status !== 0) process.exitCode = 1;
}

main().then(
  async () => {
    await shutdown();
    runTableApiBench();
    runTokenSweepBench();
  },
  async (error: unknown) => {
    log(String((error as Error)?.stack ?? error));
    await shutdown();
    process.exitCode = 1;
  },
);
