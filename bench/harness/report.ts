/** One load run's numbers. */
export interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  rssMiB: number;
  /** Server CPU (all its processes) per answered request, in µs. */
  cpuUs: number;
  non2xx: number;
  errors: number;
  exhausted: boolean;
}

export interface Cell {
  scenario: string;
  server: string;
  connections: number;
  rounds: RunResult[];
  /**
   * `coresBusy`: the server's CPU seconds per second of load (req/s × CPU per request). A
   * process pinned to one core well below 1 was waiting for requests: the load generator, not
   * the server, set that cell's req/s.
   */
  median: { rps: number; p50: number; p99: number; rssMiB: number; cpuUs: number; coresBusy: number };
  /** Any round with a non-2xx answer, a socket error or a run out of seeded values: the numbers are suspect. */
  failures: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(scenario: string, server: string, connections: number, rounds: RunResult[]): Cell {
  return {
    scenario,
    server,
    connections,
    rounds,
    median: { rps: Math.round(median(rounds.map((r) => r.rps))), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)), rssMiB: median(rounds.map((r) => r.rssMiB)), cpuUs: Math.round(median(rounds.map((r) => r.cpuUs))), coresBusy: Math.round(median(rounds.map((r) => (r.rps * r.cpuUs) / 1e6)) * 100) / 100 },
    failures: rounds.reduce((n, r) => n + r.non2xx + r.errors + (r.exhausted ? 1 : 0), 0),
  };
}

export interface Ratio {
  scenario: string;
  connections: number;
  portcullis: string;
  versus: string;
  ratio: number;
}

/** Portcullis over every other server measured in the same scenario and concurrency. */
export function ratios(cells: Cell[]): Ratio[] {
  const out: Ratio[] = [];
  for (const cell of cells.filter((c) => c.server.startsWith("portcullis"))) {
    for (const other of cells) {
      if (other.scenario !== cell.scenario || other.connections !== cell.connections || other === cell) continue;
      // Each Portcullis variant is compared with the peers and with the plain SQLite Portcullis, not with every variant.
      if (other.server.startsWith("portcullis") && other.server !== "portcullis-sqlite") continue;
      if (other.median.rps === 0) continue;
      out.push({ scenario: cell.scenario, connections: cell.connections, portcullis: cell.server, versus: other.server, ratio: cell.median.rps / other.median.rps });
    }
  }
  return out;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

function find(cells: Cell[], scenario: string, server: string, connections: number): Cell | undefined {
  return cells.find((c) => c.scenario === scenario && c.server === server && c.connections === connections);
}

/** The issue's targets, read off this run (null when the run did not measure it). */
export function checkTargets(cells: Cell[]): TargetCheck[] {
  const p = (s: string, c = 64) => find(cells, s, "portcullis-sqlite", c);
  const checks: TargetCheck[] = [];
  const ratioCheck = (target: string, a: Cell | undefined, b: Cell | undefined, min: number, max = Infinity) => {
    if (!a || !b) return checks.push({ target, measured: "not measured", met: null });
    const r = a.median.rps / b.median.rps;
    checks.push({ target, measured: `${r.toFixed(2)} (${a.median.rps} / ${b.median.rps} req/s)`, met: r >= min && r <= max });
  };
  ratioCheck("client_credentials ≥ 3× oidc-provider (c=64)", p("client_credentials"), find(cells, "client_credentials", "oidc-provider", 64), 3);
  ratioCheck("client_credentials ≥ 60 % of ceiling (c=64)", p("client_credentials"), find(cells, "client_credentials", "ceiling", 64), 0.6);
  const cc = p("client_credentials");
  checks.push({ target: "client_credentials p99 < 10 ms (c=64)", measured: cc ? `${cc.median.p99} ms` : "not measured", met: cc ? cc.median.p99 < 10 : null });
  ratioCheck("bearer GET ≥ 50 % of ceiling (c=64)", p("bearer_get"), find(cells, "bearer_get", "ceiling", 64), 0.5);
  ratioCheck("issuance with 10 M stored within 10 % of empty (c=64)", find(cells, "client_credentials", "portcullis-sqlite-10M", 64), p("client_credentials"), 0.9);
  ratioCheck("issuance with 1 M stored within 10 % of empty (c=64)", find(cells, "client_credentials", "portcullis-sqlite-1M", 64), p("client_credentials"), 0.9);
  return checks;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);

export function formatTable(cells: Cell[], ratioList: Ratio[], targets: TargetCheck[]): string {
  const lines: string[] = [];
  const header = `${pad("scenario", 20)} ${pad("server", 24)} ${lpad("c", 3)} ${lpad("req/s", 8)} ${lpad("p50 ms", 7)} ${lpad("p99 ms", 7)} ${lpad("RSS MiB", 8)} ${lpad("CPU µs/req", 10)} ${lpad("busy", 5)}  ${pad("vs ceiling", 10)} note`;
  lines.push(header, "-".repeat(header.length + 10));
  for (const cell of cells) {
    const ceiling = ratioList.find((r) => r.scenario === cell.scenario && r.connections === cell.connections && r.portcullis === cell.server && r.versus === "ceiling");
    lines.push(
      `${pad(cell.scenario, 20)} ${pad(cell.server, 24)} ${lpad(String(cell.connections), 3)} ${lpad(String(cell.median.rps), 8)} ${lpad(String(cell.median.p50), 7)} ${lpad(String(cell.median.p99), 7)} ${lpad(String(cell.median.rssMiB), 8)} ${lpad(String(cell.median.cpuUs), 10)} ${lpad(cell.median.coresBusy.toFixed(2), 5)}  ${pad(ceiling ? `${(ceiling.ratio * 100).toFixed(0)} %` : "", 10)} ${cell.failures ? `${cell.failures} failed requests/rounds` : ""}`,
    );
  }
  lines.push("", "Ratios (Portcullis req/s ÷ other req/s, medians):");
  for (const r of ratioList.filter((x) => x.versus !== "ceiling")) lines.push(`  ${pad(r.scenario, 20)} c=${lpad(String(r.connections), 2)}  ${pad(r.portcullis, 24)} ÷ ${pad(r.versus, 22)} ${r.ratio.toFixed(2)}`);
  lines.push("", "Targets:");
  for (const t of targets) lines.push(`  [${t.met === null ? " ? " : t.met ? " ok" : "NOT"}] ${pad(t.target, 56)} ${t.measured}`);
  return lines.join("\n");
}
