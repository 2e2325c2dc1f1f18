// `npm run bench:compare -- --against REF`: this checkout beside a build of REF, both Portcullis on
// SQLite, driven in turn, several rounds; medians, the ratio this/REF, and JSON in bench/results/.
// Meant for a change's before and after: on a VM that drifts by ±10 % between runs, only runs
// taken side by side in one session tell a 5 % gain from the weather. See README "Benchmarks".
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { canPin, cpuMs, freePort, spawnNode, type Started, waitForHttp, waitForQuiet } from "./harness/processes.ts";
import { startLoadGenerator } from "./harness/load-generator.ts";
import { builtSideEnv, prepareBuiltPortcullis } from "./harness/built-portcullis.ts";
import { fetchToken, type PortcullisSetup } from "./harness/portcullis.ts";
import { median } from "./harness/report.ts";
import { removeValueFiles, scenarios, type ServerUnderTest, tableApiAvailable } from "./harness/scenarios.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    against: { type: "string", default: "HEAD" },
    scenarios: { type: "string", default: "client_credentials" },
    connections: { type: "string", default: "16,64" },
    rounds: { type: "string", default: "4" },
    duration: { type: "string", default: "3" },
    workers: { type: "string", default: "1" },
  },
});
const rounds = Number(args.rounds);
const duration = Number(args.duration);
const workers = Number(args.workers);
const connectionLevels = args.connections!.split(",").map(Number);
/** A mistaken option ends the run with one line, not a stack trace. */
function usage(message: string): never {
  process.stderr.write(`bench:compare: ${message}\n`);
  process.exit(2);
}
// Every Portcullis of this checkout serves the Table API: say so before asking who takes part.
tableApiAvailable.add("this checkout");
const scenarioNames = scenarios.filter((s) => s.includes({ name: "this checkout", kind: "portcullis", storedTokens: 0, workers: 1 } as ServerUnderTest)).map((s) => s.name);
const chosen = args.scenarios!.split(",").map((name) => scenarios.find((s) => s.name === name && scenarioNames.includes(name)) ?? usage(`no Portcullis scenario named "${name}"; there are ${scenarioNames.join(", ")}`));
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isFinite(duration) || duration < 1 || !Number.isInteger(workers) || workers < 1 || connectionLevels.some((c) => !Number.isInteger(c) || c < 1)) {
  usage("--rounds, --duration, --workers and --connections take positive whole numbers");
}
const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${line}\n`);
const git = (...argv: string[]) => execFileSync("git", argv, { cwd: root, encoding: "utf8" }).trim();

/**
 * REF checked out beside this one and built with this checkout's node_modules. Its database is
 * made by its own build (prepareBuiltPortcullis), so REF may be older than a migration this
 * checkout adds: a database migrated by this checkout would be refused by REF's server.
 */
function buildAgainst(ref: string): { dir: string; commit: string; remove(): void } {
  let commit: string;
  try {
    commit = execFileSync("git", ["rev-parse", "--verify", "--quiet", "--short", `${ref}^{commit}`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    usage(`--against ${ref}: no such commit in this repository`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-compare-"));
  git("worktree", "add", "--detach", dir, commit);
  const remove = () => {
    try {
      git("worktree", "remove", "--force", dir);
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    log(`Building ${ref} (${commit})`);
    execFileSync("npm", ["run", "-s", "build"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, commit, remove };
}

/**
 * The spread of the round-by-round req/s ratios (the two sides ran back to back in each round),
 * so a reader can tell a change from the weather: on this VM a run with the same code on both
 * sides read 0.98× and 1.09×. A range that includes 1.00 is marked as within noise.
 */
function noiseNote(these: number[], others: number[]): string {
  const ratios = these.map((rps, i) => rps / others[i]!).sort((a, b) => a - b);
  if (ratios.length < 2) return "";
  const low = ratios[0]!;
  const high = ratios[ratios.length - 1]!;
  return ` (rounds ${low.toFixed(2)}–${high.toFixed(2)}${low <= 1 && high >= 1 ? ": within noise" : ""})`;
}

interface Side {
  label: string;
  server: ServerUnderTest;
  started: Started;
}

async function startSide(label: string, checkout: string, setup: PortcullisSetup): Promise<Side> {
  const port = await freePort();
  const argv = [path.join(checkout, "bin/portcullis.js"), "start", "--data", setup.dataDir, "--port", String(port), ...(workers > 1 ? ["--workers", String(workers)] : [])];
  const limits = { PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "1000000000", PORTCULLIS_RATE_LIMIT_TOKEN_PER_IP: "1000000000" };
  const started = spawnNode(argv, { cpus: workers > 1 || !canPin ? undefined : "0", env: { ...builtSideEnv, ...limits } });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/.well-known/oauth-authorization-server`, started);
  const server: ServerUnderTest = { name: label, kind: "portcullis", base, pid: started.child.pid!, setup, storedTokens: 0, workers, service: setup.service, userClient: setup.userClient };
  // The bearer scenarios use the user client's token, introspection the service client's.
  server.userToken = await fetchToken(base, setup.userClient);
  server.serviceToken = await fetchToken(base, setup.service);
  tableApiAvailable.add(label);
  return { label, server, started };
}


async function main(): Promise<void> {
  const against = buildAgainst(args.against!);
  process.once("SIGINT", () => {
    against.remove();
    process.exit(130);
  });
  const sides: Side[] = [];
  const setups: PortcullisSetup[] = [];
  let loadGenerator: Awaited<ReturnType<typeof startLoadGenerator>> | undefined;
  try {
    loadGenerator = await startLoadGenerator(canPin ? "1" : undefined);
    for (const [label, checkout] of [[`${args.against} (${against.commit})`, against.dir], ["this checkout", root]] as const) {
      log(`Preparing ${label}'s database with its own CLI`);
      const setup = await prepareBuiltPortcullis(checkout, `compare-${sides.length}`);
      setups.push(setup);
      sides.push(await startSide(label, checkout, setup));
    }
    const lastRate = new Map<string, number>();
    const rows: { scenario: string; connections: number; side: string; rps: number[]; cpuUs: number[]; p99: number[] }[] = [];
    for (const scenario of chosen) {
      for (const side of sides) await loadGenerator.run(side.server.base, await scenario.job(side.server, 20_000), 64, 2);
      for (let round = 0; round < rounds; round++) {
        for (const connections of connectionLevels) {
          // Alternate which side goes first, so neither always runs on the other's leftovers.
          for (const side of round % 2 ? [...sides].reverse() : sides) {
            // One-time values (refresh tokens, codes) must not run out: seed for twice the last rate, never under 5 000/s.
            const key = `${scenario.name}|${side.label}`;
            const job = await scenario.job(side.server, Math.ceil(Math.max((lastRate.get(key) ?? 0) * 2, 5000) * duration) + 1000);
            await waitForQuiet(3000, 0.08, 100);
            const before = cpuMs(side.server.pid);
            const outcome = await loadGenerator.run(side.server.base, job, connections, duration);
            if (outcome.non2xx + outcome.errors > 0) throw new Error(`${side.label}: ${outcome.non2xx} non-2xx answers and ${outcome.errors} errors in ${scenario.name}`);
            const cpuUs = ((cpuMs(side.server.pid) - before) * 1000) / outcome.total;
            lastRate.set(key, outcome.rps);
            let row = rows.find((r) => r.scenario === scenario.name && r.connections === connections && r.side === side.label);
            if (!row) rows.push((row = { scenario: scenario.name, connections, side: side.label, rps: [], cpuUs: [], p99: [] }));
            row.rps.push(outcome.rps);
            row.cpuUs.push(cpuUs);
            row.p99.push(outcome.p99);
            log(`${scenario.name} c=${connections} ${side.label}: ${Math.round(outcome.rps)} req/s, ${Math.round(cpuUs)} µs CPU/req, p99 ${outcome.p99} ms`);
          }
        }
      }
    }
    const cells = rows.map((r) => ({ scenario: r.scenario, connections: r.connections, side: r.side, rps: Math.round(median(r.rps)), cpuUs: Math.round(median(r.cpuUs)), p99: median(r.p99), rounds: { rps: r.rps.map(Math.round), cpuUs: r.cpuUs.map(Math.round), p99: r.p99 } }));
    const lines = ["scenario             c  side                              req/s  µs CPU/req  p99 ms  this ÷ against", "-".repeat(96)];
    for (const cell of cells) {
      const other = cells.find((c) => c.scenario === cell.scenario && c.connections === cell.connections && c.side !== cell.side)!;
      const ratio = cell.side === "this checkout" ? `${(cell.rps / other.rps).toFixed(2)} req/s, ${(cell.cpuUs / other.cpuUs).toFixed(2)} CPU${noiseNote(cell.rounds.rps, other.rounds.rps)}` : "";
      lines.push(`${cell.scenario.padEnd(20)} ${String(cell.connections).padStart(2)}  ${cell.side.padEnd(30)} ${String(cell.rps).padStart(8)} ${String(cell.cpuUs).padStart(11)} ${String(cell.p99).padStart(7)}  ${ratio}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    const file = path.join(root, "bench/results", `${stamp}-compare.json`);
    const command = `npm run bench:compare -- ${process.argv.slice(2).join(" ")}`.trim();
    const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
    fs.writeFileSync(file, `${JSON.stringify({ command, date: new Date().toISOString(), against: { ref: args.against, commit: against.commit }, commit: `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes" : ""}`, settings: { rounds, duration, workers, connectionLevels, pinned: canPin && workers === 1 }, machine: { cpu: os.cpus()[0]?.model ?? "unknown", cores: os.availableParallelism(), node: process.version }, cells }, null, 2)}\n`);
    log(`Results written to ${path.relative(root, file)}`);
  } finally {
    await Promise.all([...(loadGenerator ? [loadGenerator.started] : []), ...sides.map((s) => s.started)].map((p) => p.stop()));
    for (const setup of setups) await setup.dispose().catch(() => {});
    removeValueFiles();
    against.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:compare failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
