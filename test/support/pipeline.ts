import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before } from "node:test";
import { main } from "../../src/cli/main.ts";
import type { ConfigInput } from "../../src/config.ts";
import { adminPassword, startTestInstance, type TestInstance } from "./instance.ts";
import { dialectsUnderTest, tempDir } from "./stores.ts";

export interface CLIRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a person runs it, with every instance's admin password in the environment unless `env` says otherwise. */
export async function pipelineCLI(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CLIRun> {
  let stdout = "";
  let stderr = "";
  const environment = { PROD_PW: adminPassword, DEV_PW: adminPassword, TEST_PW: adminPassword, STAGING_PW: adminPassword, ...env };
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, environment);
  return { code, stdout, stderr };
}

/** A pipeline file: production, then each [name, instance or URL, password variable]. */
export function pipelineFileText(production: TestInstance, others: [string, TestInstance | string, string][]): string {
  return [
    "production:",
    "  name: production",
    `  url: ${production.base}`,
    "  admin: { user: admin, password_env: PROD_PW }",
    "instances:",
    ...others.map(([name, instance, env]) => `  - { name: ${name}, url: ${typeof instance === "string" ? instance : instance.base}, admin: { user: admin, password_env: ${env} } }`),
  ].join("\n");
}

/** One instance besides production: named in the pipeline file by `entry` ([name, password variable]), or only started beside it. */
export interface PipelineInstanceSpec {
  entry?: [name: string, passwordEnv: string];
  settings?: Partial<ConfigInput>;
}

/** A pipeline `pipeline up` has set up, for the tests of one describe block; read it inside them. */
export interface UpPipeline<Name extends string> {
  /** Removed after the block, with the file in it. */
  readonly dir: string;
  readonly file: string;
  readonly prod: TestInstance;
  /** The other instances, by the keys they were given under. */
  readonly instances: Record<Name, TestInstance>;
}

/**
 * Production and the instances given, each on its own SQLite store, the pipeline file naming
 * those with an entry (in the order given), and `pipeline up` run on it: before the block's
 * tests, stopped after them.
 */
export function upPipeline<Name extends string>(others: Record<Name, PipelineInstanceSpec>): UpPipeline<Name> {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  const specs = Object.entries(others) as [Name, PipelineInstanceSpec][];
  const started: TestInstance[] = [];
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    started.push(...(await Promise.all([{}, ...specs.map(([, spec]) => spec.settings ?? {})].map((settings) => startTestInstance(sqlite, settings)))));
    const named = specs.flatMap(([, spec], i): [string, TestInstance, string][] => (spec.entry ? [[spec.entry[0], started[i + 1]!, spec.entry[1]]] : []));
    fs.writeFileSync(file, pipelineFileText(started[0]!, named));
    const up = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
  });
  // An instance a test stopped is stopped again here, which does no harm.
  after(async () => {
    await Promise.all(started.map((s) => s.close().catch(() => {})));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    file,
    get prod() {
      return started[0]!;
    },
    get instances() {
      return Object.fromEntries(specs.map(([key], i) => [key, started[i + 1]!])) as Record<Name, TestInstance>;
    },
  };
}
