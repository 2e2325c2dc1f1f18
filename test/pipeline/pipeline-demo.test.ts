import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import { after, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { tempDir } from "../support/stores.ts";

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, {});
  return { code, stdout, stderr };
}

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

  test("a port that leaves no room for three is refused before anything starts", async () => {
    for (const value of ["65534", "0", "http", "-1"]) {
      const run = await cli(["pipeline", "demo", "--port", value, "--dir", dir]);
      assert.equal(run.code, 2, value);
      assert.match(run.stderr, /must be a port from 1 to 65533/);
    }
  });
});
