import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/** `taskset` pins a process and every thread it starts to the given cores; absent, nothing is pinned. */
export const canPin = process.platform === "linux" && spawnSync("taskset", ["-c", "0", "true"]).status === 0;

export interface Started {
  child: ChildProcess;
  /** The last lines the process wrote to stderr, for when it fails. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns node with the given arguments, pinned to `cpus` when possible, with an IPC channel. */
export function spawnNode(args: string[], options: { env?: Record<string, string>; cpus?: string; cwd?: string }): Started {
  const command = canPin && options.cpus ? "taskset" : process.execPath;
  const argv = canPin && options.cpus ? ["-c", options.cpus, process.execPath, ...args] : args;
  const child = spawn(command, argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let tail = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  });
  return {
    child,
    stderr: () => tail,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until the server answers HTTP at all (any status), or fails with its stderr. */
export async function waitForHttp(url: string, started: Started, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`server exited (${started.child.exitCode}) before answering ${url}:\n${started.stderr()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no answer from ${url} after ${timeoutMs} ms:\n${started.stderr()}`);
}

function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const tree: number[] = [];
  const visit = (p: number) => {
    tree.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return tree;
}

/** Resident memory of a process and its descendants (cluster workers), in MiB; 0 off Linux. */
export function rssMiB(pid: number): number {
  if (process.platform !== "linux") return 0;
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {}
  }
  return Math.round(kib / 1024);
}

/**
 * CPU time (user + system) a process and its descendants have used, in ms; 0 off Linux.
 * Per request, this is the cost that other load on a shared machine does not distort.
 */
export function cpuMs(pid: number): number {
  if (process.platform !== "linux") return 0;
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  // Linux reports in USER_HZ, 100 per second on every common configuration.
  return ticks * 10;
}

function cpuCounters(): { busy: number; total: number } {
  const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle only: waiting on the disk (a neighbour's fsync) counts as busy, it slows the next cell too.
  return { busy: total - fields[3]!, total };
}

/**
 * Waits until the machine is nearly idle: after a cell, PostgreSQL checkpoints and vacuums and a
 * peer collects its garbage, and the next server measured used to pay for it (in one full run
 * Portcullis on SQLite measured 0.67× its quiet speed right after PostgreSQL's cells). Returns
 * the milliseconds waited; gives up after `maxMs`.
 */
export async function waitForQuiet(maxMs = 15_000, busyBelow = 0.08, windowMs = 300): Promise<number> {
  if (process.platform !== "linux") return 0;
  const started = Date.now();
  for (;;) {
    const before = cpuCounters();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = cpuCounters();
    const busy = (after.busy - before.busy) / Math.max(1, after.total - before.total);
    if (busy < busyBelow || Date.now() - started >= maxMs) return Date.now() - started;
  }
}
