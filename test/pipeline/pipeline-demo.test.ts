import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parsePipeline } from "../../src/pipeline/pipeline-file.ts";
import { tempDir } from "../support/stores.ts";
import { runCli } from "../support/in-process-cli.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, env);

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

/** A port whose next two are free as well. */
async function threeFreePorts(): Promise<number> {
  for (;;) {
    const first = 20000 + Math.floor(Math.random() * 40000);
    if ((await bindable(first)) && (await bindable(first + 1)) && (await bindable(first + 2))) return first;
  }
}

/** The demo in its own process, making its temporary directory in `tmp`, where nothing else makes one. */
function spawnDemo(tmp: string, args: string[] = []) {
  const child = spawn(process.execPath, ["--import", "tsx", entry, "pipeline", "demo", ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  // The exit code, or the signal that ended the process: a demo killed by the signal cleaned nothing.
  const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(String(code ?? signal))));
  let done = false;
  void exited.then(() => (done = true));
  /** Resolves once `ready()` holds, checked as output comes and every 20 ms; rejects if the demo ends first or a minute passes. */
  const until = async (what: string, ready: () => boolean) => {
    const deadline = Date.now() + 60_000;
    while (!ready()) {
      assert.ok(!done && Date.now() < deadline, `${done ? `demo exited (${await exited})` : "waited a minute"} before ${what}:\n${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const demoDirs = () => fs.readdirSync(tmp).filter((e) => e.startsWith("portcullis-demo-"));
  return { child, exited, until, demoDirs, stdout: () => stdout, stderr: () => stderr };
}

describe("portcullis pipeline demo", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("--port P puts production, development and test on P, P+1 and P+2, and every edge is proved", async () => {
    const first = await threeFreePorts();
    const run = await cli(["pipeline", "demo", "--port", String(first), "--dir", dir]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    for (const [offset, name] of ["production", "development", "test"].entries()) assert.match(run.stdout, new RegExp(`^${name}\\s+http://127\\.0\\.0\\.1:${first + offset}\\b`, "m"));
    assert.doesNotMatch(run.stdout, /broken/);
    assert.ok(fs.existsSync(`${dir}/production/portcullis.sqlite`), "a directory named with --dir is kept");
  });

  test("without --dir, the temporary directory it made is gone when the demo ends", async () => {
    const run = await cli(["pipeline", "demo"]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const made = /^production\s+\S+ \S*?(\/\S+?)\/production\b/m.exec(run.stdout) ?? /(\S*portcullis-demo-[^/\s]+)/.exec(run.stdout);
    assert.ok(made, run.stdout);
    const demoDir = made[1]!.replace(/[(),]/g, "");
    assert.match(demoDir, /portcullis-demo-/);
    assert.equal(fs.existsSync(demoDir), false, `${demoDir} left behind`);
  });

  /** A demo --keep in its own process, once it says it runs; `exited` is its exit code, or the signal that ended it. */
  async function keptDemo(args: string[] = []) {
    const child = spawn(process.execPath, ["--import", "tsx", entry, "pipeline", "demo", "--keep", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(String(code ?? signal))));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes(`Ctrl-C (or kill ${child.pid}) stops.`)) resolve();
      });
      void exited.then((code) => reject(new Error(`demo exited (${code}):\n${stdout}${stderr}`)));
    });
    return { child, stdout, stderr: () => stderr, exited };
  }

  test("--keep writes the pipeline it ran into its directory and prints the commands that run status and up on it, which work while it runs", async () => {
    const keptDir = `${dir}/kept`;
    const { child, stdout, stderr, exited } = await keptDemo(["--dir", keptDir]);
    try {
      const file = `${keptDir}/pipeline.yaml`;
      assert.ok(stdout.includes(`Pipeline file: ${file}. While the demo runs, check or repair its edges from another shell with:`), stdout);
      const urls = [...stdout.matchAll(/^(production|development|test)\s+(http:\/\/\S+)/gm)].map((m) => [m[1], m[2]]);
      const written = parsePipeline(fs.readFileSync(file, "utf8"));
      assert.deepEqual([written.production, ...written.instances].map((i) => [i.name, i.url]), urls);
      assert.doesNotMatch(fs.readFileSync(file, "utf8"), /password:/, "the file names the password variables, never a password");

      const exported = /^ {2}export (.+)$/m.exec(stdout);
      assert.ok(exported, stdout);
      const env = Object.fromEntries(exported[1]!.split(" ").map((pair) => pair.split("=") as [string, string]));
      assert.deepEqual(Object.keys(env).sort(), ["DEVELOPMENT_ADMIN_PASSWORD", "PRODUCTION_ADMIN_PASSWORD", "TEST_ADMIN_PASSWORD"]);
      for (const command of ["status", "up"]) {
        const line = new RegExp(`^ {2}npx portcullis (pipeline ${command} \\S+)$`, "m").exec(stdout);
        assert.ok(line, `${command}: ${stdout}`);
        assert.equal(line[1], `pipeline ${command} ${file}`);
        const run = await cli(line[1]!.split(" "), env);
        assert.equal(run.code, 0, run.stderr + run.stdout);
        assert.match(run.stdout, /production ⇄ development\s+development → production\s+ok/);
      }
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, "0", stderr());
    }
    assert.ok(fs.existsSync(`${keptDir}/pipeline.yaml`), "a directory named with --dir is kept, with its pipeline file");
  });

  test("--keep stopped with SIGTERM (kill, a service manager) removes its temporary directory, as Ctrl-C does", async () => {
    const { child, stdout, stderr, exited } = await keptDemo();
    const made = /\(SQLite in (\S*portcullis-demo-[^/\s]+)\/production\)/.exec(stdout);
    assert.ok(made, stdout);
    assert.ok(fs.existsSync(made[1]!));
    child.kill("SIGTERM");
    assert.equal(await exited, "0", stderr());
    assert.equal(fs.existsSync(made[1]!), false, `${made[1]} left behind`);
  });

  test("SIGTERM while its instances start stops the ones started, removes its temporary directory and exits 143", async () => {
    const tmp = tempDir();
    try {
      const demo = spawnDemo(tmp, ["--keep"]);
      // Production is up and development starting once development's data directory is there.
      await demo.until("the development instance starts", () => demo.demoDirs().some((d) => fs.existsSync(path.join(tmp, d, "development"))));
      demo.child.kill("SIGTERM");
      assert.equal(await demo.exited, "143", demo.stdout() + demo.stderr());
      assert.deepEqual(demo.demoDirs(), [], "the temporary directory is gone");
      assert.match(demo.stderr(), /SIGTERM before the demo was running: the instances it started are stopped, and \S*portcullis-demo-\S+ is removed\./);
      assert.doesNotMatch(demo.stdout(), /Running/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("SIGTERM while pipeline up runs stops the three instances, removes its temporary directory and exits 143", async () => {
    const tmp = tempDir();
    try {
      const first = await threeFreePorts();
      const demo = spawnDemo(tmp, ["--keep", "--port", String(first)]);
      // Printed once the three serve, before pipeline up begins.
      await demo.until("the instances are listed", () => /^test\s+http:/m.test(demo.stdout()));
      demo.child.kill("SIGTERM");
      assert.equal(await demo.exited, "143", demo.stdout() + demo.stderr());
      assert.deepEqual(demo.demoDirs(), [], "the temporary directory is gone");
      assert.doesNotMatch(demo.stdout(), /Running/);
      for (const port of [first, first + 1, first + 2]) assert.ok(await bindable(port), `port ${port} is free again`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("a port of the three already taken is refused before any instance starts, naming --port and the three ports, not PORTCULLIS_PORT, which the demo does not read", async () => {
    const first = await threeFreePorts();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: first + 1 }, resolve));
    try {
      const demoDir = `${dir}/taken`;
      const run = await cli(["pipeline", "demo", "--port", String(first), "--dir", demoDir]);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.stderr.includes(`port ${first + 1} on 127.0.0.1 is already in use: the demo needs three consecutive free ports, the one --port names and the next two (${first}, ${first + 1}, ${first + 2}); choose another with --port. Nothing was started.`), run.stderr);
      assert.doesNotMatch(run.stderr, /PORTCULLIS_PORT/);
      assert.equal(fs.existsSync(`${demoDir}/production`), false, "production was not started on the free first port");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  test("a port that leaves no room for three is refused before anything starts", async () => {
    for (const value of ["65534", "0", "http", "-1"]) {
      const run = await cli(["pipeline", "demo", "--port", value, "--dir", dir]);
      assert.equal(run.code, 2, value);
      assert.match(run.stderr, /must be a port from 1 to 65533/);
    }
  });
});
