import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

interface RunOptions {
  /** The umask the CLI runs under: 000 shows a mode it sets does not come from the umask. */
  umask?: string;
  /** A command that runs the CLI as another user (setpriv …), when the test is root. */
  asUser?: string[];
}

/** The CLI in its own process, under `umask`; `exec` keeps the node process's pid the child's. */
function spawnCli(args: string[], options: RunOptions = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: "an admin password", PORTCULLIS_LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const command = [...(options.asUser ?? []), process.execPath, "--import", "tsx", entry, ...args];
  return spawn("sh", ["-c", `umask ${options.umask ?? "022"}; exec "$@"`, "sh", ...command], { env, stdio: ["ignore", "pipe", "pipe"] });
}

function run(args: string[], options: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawnCli(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `portcullis start` until it prints its metadata URL and answers /health (by then its SIGTERM
 * handler is in place); `stop` sends SIGTERM and waits for exit 0.
 */
async function serve(data: string, extra: string[], options: RunOptions = {}): Promise<{ child: ChildProcess; stderr: () => string; stop: () => Promise<void> }> {
  const port = await freePort();
  // Started again on another port, the instance keeps its public URL (src/public-url-check.ts).
  const child = spawnCli(["start", "--data", data, "--port", String(port), "--public-url", "http://portcullis.test", ...extra], options);
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (stderr.includes("Metadata:") || stderr.includes("메타데이터:")) resolve();
    });
    void exited.then((code) => reject(new Error(`start exited (${code}):\n${stderr}`)));
  });
  assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
  return {
    child,
    stderr: () => stderr,
    stop: async () => {
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
    },
  };
}

const mode = (file: string): string => `0${(fs.statSync(file).mode & 0o777).toString(8)}`;

/** The name /etc/passwd gives `uid`, as the refusal names the user; the uid itself when it has none. */
function userName(uid: number): string {
  const entry = fs.readFileSync("/etc/passwd", "utf8").split("\n").map((line) => line.split(":")).find((fields) => fields[2] === String(uid));
  return entry?.[0] ?? String(uid);
}

/**
 * How to run the CLI as a user who cannot write a directory this test makes: this user itself
 * when it is not root (the directory is made 0555), else nobody through setpriv, provided that
 * user can read this checkout. A string says why neither works.
 */
function unprivileged(): { asUser: string[]; user: string; readOnlyMode: number } | string {
  if (process.getuid?.() !== 0) return { asUser: [], user: os.userInfo().username, readOnlyMode: 0o555 };
  const asUser = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
  const probe = spawnSync(asUser[0]!, [...asUser.slice(1), process.execPath, "--import", "tsx", entry, "--version"], { encoding: "utf8" });
  if (probe.error) return "running as root, and setpriv (to run the CLI as nobody) is not available";
  if (probe.status !== 0) return `running as root, and nobody cannot run this checkout's CLI through setpriv: ${probe.stderr.trim().split("\n")[0]}`;
  return { asUser, user: userName(65534), readOnlyMode: 0o755 };
}

describe("the data directory: its own user's alone when Portcullis creates it", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const base = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };

  test("client create makes the data directory 0700 and the database 0600, even under umask 000", async () => {
    const data = path.join(base(), "data");
    const created = await run(["client", "create", "--data", data, "--name", "svc", "--grant-types", "client_credentials"], { umask: "000" });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(mode(data), "0700");
    assert.equal(mode(path.join(data, "portcullis.sqlite")), "0600");
  });

  test("a data directory that is a file (or under one) is refused in those words, with or without --https, and nothing is made", async () => {
    const file = path.join(base(), "afile");
    fs.writeFileSync(file, "x");
    for (const [data, extra] of [[file, []], [file, ["--https"]], [path.join(file, "sub"), ["--https"]]] as const) {
      const started = await run(["start", "--data", data, "--port", "0", ...extra]);
      assert.notEqual(started.code, 0);
      assert.match(started.stderr, new RegExp(`the data directory ${data.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be made or used: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is a file, not a directory`), started.stderr);
      assert.doesNotMatch(started.stderr, /ENOTDIR/);
    }
    assert.equal(fs.readFileSync(file, "utf8"), "x");
  });

  test("a first start under umask 000: the directory 0700, the database, its -wal and -shm and secret.key 0600, and no warning", async () => {
    const data = path.join(base(), "data");
    const server = await serve(data, [], { umask: "000" });
    try {
      assert.equal(mode(data), "0700");
      for (const file of ["portcullis.sqlite", "portcullis.sqlite-wal", "portcullis.sqlite-shm", "secret.key"]) assert.equal(mode(path.join(data, file)), "0600", file);
      assert.doesNotMatch(server.stderr(), /WARNING/);
    } finally {
      await server.stop();
    }
  });

  test("a directory and files the operator made open keep their modes, and start names each with the chmod that closes it, in English and Korean", async () => {
    const data = path.join(base(), "data");
    fs.mkdirSync(data);
    fs.chmodSync(data, 0o755);
    const first = await serve(data, []);
    await first.stop();
    assert.ok(first.stderr().includes(`WARNING: the data directory ${data} is open to other local users (mode 0755)`), first.stderr());
    assert.ok(first.stderr().includes(`chmod 700 ${data} makes it private`), first.stderr());
    assert.doesNotMatch(first.stderr(), /chmod 600/, "the database it created itself is private");

    const database = path.join(data, "portcullis.sqlite");
    const key = path.join(data, "secret.key");
    fs.chmodSync(database, 0o644);
    fs.chmodSync(key, 0o640);
    const second = await serve(data, ["--lang", "ko"]);
    try {
      const told = second.stderr();
      assert.ok(told.includes(`경고: 데이터 디렉터리 ${data}을(를) 이 컴퓨터의 다른 사용자도 열 수 있습니다(모드 0755)`), told);
      assert.ok(told.includes(`chmod 700 ${data}(으)로`), told);
      // SQLite made the -wal and -shm with the database's mode: they are named with it.
      assert.ok(told.includes(`경고: 이 컴퓨터의 다른 사용자도 ${database} (0644), ${database}-wal (0644), ${database}-shm (0644), ${key} (0640)을(를) 열 수 있습니다`), told);
      assert.ok(told.includes(`chmod 600 ${database} ${database}-wal ${database}-shm ${key}(으)로`), told);
      assert.equal(mode(data), "0755");
      assert.equal(mode(database), "0644");
      assert.equal(mode(key), "0640");
    } finally {
      await second.stop();
    }
  });

  test("a data directory this user cannot write is refused naming the user and the directory, before anything is written", async (t) => {
    const runner = unprivileged();
    if (typeof runner === "string") return t.skip(runner);
    const { asUser, user } = runner;
    const outer = base();
    fs.chmodSync(outer, 0o755);
    const readOnly = path.join(outer, "ro");
    fs.mkdirSync(readOnly);
    fs.chmodSync(readOnly, runner.readOnlyMode);
    const port = String(await freePort());

    const started = await run(["start", "--data", readOnly, "--port", port], { asUser });
    assert.equal(started.code, 1, started.stderr);
    assert.ok(started.stderr.includes(`the data directory ${readOnly} is not writable by user ${user}: `), started.stderr);
    assert.ok(started.stderr.includes(`chown ${user} ${readOnly}`), started.stderr);
    assert.doesNotMatch(started.stderr, /unable to open database file|Created user/);

    // --https would make its development CA in the directory first: refused the same way, before that.
    const below = path.join(readOnly, "data");
    const https = await run(["start", "--data", below, "--port", port, "--https"], { asUser });
    assert.equal(https.code, 1, https.stderr);
    assert.ok(https.stderr.includes(`cannot create the data directory ${below}: ${readOnly} is not writable by user ${user}.`), https.stderr);
    assert.doesNotMatch(https.stderr, /EACCES/);

    const created = await run(["client", "create", "--data", readOnly, "--name", "svc", "--grant-types", "client_credentials", "--lang", "ko"], { asUser });
    assert.equal(created.code, 1, created.stderr);
    assert.ok(created.stderr.includes(`데이터 디렉터리 ${readOnly}에 사용자 ${user}의 쓰기 권한이 없습니다`), created.stderr);
    assert.deepEqual(fs.readdirSync(readOnly), []);
  });
});
