// `npm run bench:profile -- --scenario client_credentials`: one Portcullis under load with V8's
// CPU profiler on, and where its time went. The server runs as `npm start` does, pinned to core 0,
// with autocannon on core 1, as in `npm run bench`; the .cpuprofile it writes opens in Chrome
// DevTools (Performance) or https://www.speedscope.app as a flame graph. See bench/PROFILING.md.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { formatSummary, summarizeCpuProfile } from "./harness/cpu-profile-summary.ts";
import { startLoadGenerator } from "./harness/load-generator.ts";
import { benchSecretKey, fetchToken, preparePortcullis } from "./harness/portcullis.ts";
import { canPin, cpuMs, freePort, spawnNode, waitForHttp } from "./harness/processes.ts";
import { removeValueFiles, scenarios, type ServerUnderTest, tableApiAvailable } from "./harness/scenarios.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    scenario: { type: "string", default: "client_credentials" },
    seconds: { type: "string", default: "15" },
    connections: { type: "string", default: "64" },
    stored: { type: "string", default: "0" },
    top: { type: "string", default: "25" },
    out: { type: "string" },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const stored = Number(args.stored);
const top = Number(args.top);

function usage(message: string): never {
  process.stderr.write(`bench:profile: ${message}\n`);
  process.exit(2);
}

tableApiAvailable.add("profiled");
const scenario = scenarios.find((s) => s.name === args.scenario) ?? usage(`no scenario named "${args.scenario}"; there are ${scenarios.map((s) => s.name).join(", ")}`);
for (const [name, value] of Object.entries({ seconds, connections, top })) if (!Number.isInteger(value) || value < 1) usage(`--${name} takes a positive whole number`);
if (!Number.isInteger(stored) || stored < 0) usage("--stored takes a whole number of tokens");
if (stored > 0 && scenario.name !== "client_credentials") usage("--stored goes with --scenario client_credentials");

const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${line}\n`);
const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
const outDir = path.resolve(args.out ?? path.join(os.tmpdir(), `portcullis-profile-${stamp}`));

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const postgresUrl = process.env.DATABASE_URL || undefined;
  log(`Preparing Portcullis on ${postgresUrl ? "PostgreSQL" : "SQLite"}${stored ? ` with ${stored.toLocaleString("en")} stored tokens` : ""}`);
  const setup = await preparePortcullis("profile", { postgresUrl, storedTokens: stored, log });
  const loadGenerator = await startLoadGenerator(canPin ? "1" : undefined);
  const port = await freePort();
  const limits = { PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "1000000000", PORTCULLIS_RATE_LIMIT_TOKEN_PER_IP: "1000000000" };
  const env = { DATABASE_URL: setup.databaseUrl, ...(setup.databaseUrl ? { PORTCULLIS_SECRET_KEY: benchSecretKey } : {}), ...limits };
  const started = spawnNode(["--cpu-prof", `--cpu-prof-dir=${outDir}`, path.join(root, "bin/portcullis.js"), "start", "--data", setup.dataDir, "--port", String(port)], { cpus: canPin ? "0" : undefined, env });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/.well-known/oauth-authorization-server`, started);
    const server: ServerUnderTest = { name: "profiled", kind: "portcullis", base, pid: started.child.pid!, setup, storedTokens: stored, workers: 1, service: setup.service, userClient: setup.userClient };
    server.userToken = await fetchToken(base, setup.userClient);
    server.serviceToken = await fetchToken(base, setup.service);
    // Warm first, so the profile is mostly the served requests rather than start-up and the JIT's first passes.
    await loadGenerator.run(base, await scenario.job(server, 20_000), connections, 2);
    const job = await scenario.job(server, 20_000 * seconds);
    const before = cpuMs(server.pid);
    log(`Driving ${scenario.name} at c=${connections} for ${seconds} s`);
    const outcome = await loadGenerator.run(base, job, connections, seconds);
    const cpuUs = ((cpuMs(server.pid) - before) * 1000) / outcome.total;
    if (outcome.non2xx + outcome.errors > 0) log(`warning: ${outcome.non2xx} non-2xx answers and ${outcome.errors} errors`);
    await started.stop();
    const file = fs.readdirSync(outDir).find((name) => name.includes(`.${server.pid}.0.`) && name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`the server wrote no profile into ${outDir}:\n${started.stderr()}`);
    process.stdout.write(`${scenario.name}, c=${connections}: ${Math.round(outcome.rps)} req/s, p99 ${outcome.p99} ms, ${Math.round(cpuUs)} µs server CPU per request (profiler on)\n\n`);
    process.stdout.write(`${formatSummary(summarizeCpuProfile(path.join(outDir, file), top))}\n\nProfile (the main thread; worker threads have their own): ${path.join(outDir, file)}\n`);
  } finally {
    await Promise.all([started.stop(), loadGenerator.started.stop()]);
    await setup.dispose().catch(() => {});
    removeValueFiles();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:profile failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
