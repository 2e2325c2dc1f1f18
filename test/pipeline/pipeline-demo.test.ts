import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";
import { parsePipeline } from "../../src/pipeline/pipeline-file.ts";
import { tempDir } from "../support/stores.ts";

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, env);
  return { code, stdout, stderr };
}

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
