import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { ConfigError, loadConfig, localConfigError } from "../../config.ts";
import { ValidationError } from "../../domain/validation.ts";
import type { PipelineFile } from "../../pipeline/pipeline-file.ts";
import { pipelineUp, trustTable } from "../../pipeline/pipeline-run.ts";
import { assertCanListen, freePort } from "../../listen-probe.ts";
import { type RunningServer, startServer } from "../../server.ts";
import type { Translator } from "../../i18n/translator.ts";
import { Interrupted, listenForInterruption } from "../interruption.ts";
import { type Output, padColumns } from "../output.ts";
import { clientsFor } from "../pipeline-clients.ts";
import { giveDemoAdminPassword } from "./demo-admin-password.ts";
import { recordedDemoPort } from "./demo-recorded-port.ts";
import { keptDemoFollowUp, writeDemoPipelineFile } from "./kept-demo.ts";
import { wordedAccess } from "./pipeline.ts";

interface DemoOptions {
  keep?: boolean;
  dir?: string;
  port?: string;
}

/** `--port P`: the demo's three instances on P, P+1 and P+2, so a kept demo has addresses to bookmark. */
function demoPorts(value: string | undefined, i18n: Translator): number[] | undefined {
  if (value === undefined) return undefined;
  const first = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(first >= 1 && first <= 65533)) throw new ValidationError([{ field: "--port", message: i18n.t("cli.pipeline.demoPort", { value }) }]);
  return [first, first + 1, first + 2];
}

/**
 * A port of the three taken, told before any instance starts with the demo's own way out: --port
 * alone, since the demo reads no PORTCULLIS_* variable (start's message names PORTCULLIS_PORT).
 */
async function assertDemoPortsFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    try {
      await assertCanListen("127.0.0.1", port);
    } catch (error) {
      const key = error instanceof ConfigError ? error.text?.key : undefined;
      if (key !== "start.listen.inUse" && key !== "start.listen.denied") throw error;
      throw localConfigError({ key: "cli.pipeline.demoPortTaken", values: { port: String(port), reason: key === "start.listen.inUse" ? "inUse" : "denied", ports: ports.join(", ") } });
    }
  }
}

/** `portcullis pipeline demo`: three local instances that `pipeline up` makes trust each other. */
export function pipelineDemoCommand(output: Output, i18n: Translator): Command {
  const { t } = i18n;
  return new Command("demo")
    .description(t("help.pipeline.demo"))
    .option("--dir <dir>", t("help.pipeline.dir"))
    .option("--keep", t("help.pipeline.keep"))
    .option("--port <port>", t("help.pipeline.port"))
    .action(async (options: DemoOptions) => {
      const ports = demoPorts(options.port, i18n);
      if (ports) await assertDemoPortsFree(ports);
      // Ctrl-C or a SIGTERM (kill, a service manager) is listened for before anything is made:
      // while the instances start and pipeline up runs, as once the demo says it runs, the
      // instances are stopped and the temporary directory goes with them.
      const interruption = listenForInterruption();
      const dir = options.dir ? path.resolve(options.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-demo-"));
      const names = ["production", "development", "test"] as const;
      // Each start as it was begun: one under way when a signal comes is waited for, then closed.
      const starting: Promise<RunningServer>[] = [];
      const demoEnv: NodeJS.ProcessEnv = {};
      // pipeline up goes on until its next request meets a closed instance: nothing more from it once interrupted.
      const print = (line: string): void => {
        if (!interruption.signal) output.out(line);
      };
      try {
        const configOf = (name: string, port: number, adminPassword?: string) => loadConfig({ dataDir: path.join(dir, name), port, adminPassword, logLevel: "silent" });
        // Run again on its --dir, each instance keeps the URL it recorded, unless --port says otherwise.
        const chosen = ports ?? (await Promise.all(names.map((name) => (options.dir ? recordedDemoPort(path.join(dir, name), (port) => configOf(name, port).publicUrl) : undefined))));
        const servers: RunningServer[] = [];
        for (const [i, name] of names.entries()) {
          const password = randomBytes(12).toString("base64url");
          demoEnv[`${name.toUpperCase()}_ADMIN_PASSWORD`] = password;
          if (options.dir) await giveDemoAdminPassword(path.join(dir, name), password);
          const port = chosen[i] ?? (await interruption.race(unchosenPort(chosen)));
          const server = startServer(configOf(name, port, password), { logger: false, print: () => {} });
          starting.push(server);
          servers.push(await interruption.race(server));
        }
        const urls = servers.map((s) => s.url);
        const plan: PipelineFile = {
          production: { name: "production", url: urls[0]!, admin: { user: "admin", password_env: "PRODUCTION_ADMIN_PASSWORD" } },
          instances: names.slice(1).map((name, i) => ({ name, url: urls[i + 1]!, admin: { user: "admin", password_env: `${name.toUpperCase()}_ADMIN_PASSWORD` } })),
        };
        for (const [i, name] of names.entries()) output.out(`${padColumns(name, 12)} ${t("cli.pipeline.demoInstance", { url: urls[i]!, dir: path.join(dir, name) })}`);
        // A refused sign-in (an admin deactivated in a kept --dir, say) is worded as pipeline up words it.
        const report = await interruption.race(pipelineUp(plan, clientsFor(plan, demoEnv, undefined, i18n), print, i18n).catch(wordedAccess(plan, i18n, { caFile: undefined, run: "changes" })));
        output.out("");
        output.out(trustTable(report.edges, i18n));
        if (options.keep) {
          const passwords = names.map((n) => `${n} ${demoEnv[`${n.toUpperCase()}_ADMIN_PASSWORD`]}`).join(", ");
          output.out(`\n${keptDemoFollowUp(writeDemoPipelineFile(dir, plan), demoEnv, i18n)}`);
          output.out(`\n${t("cli.pipeline.demoRunning", { passwords, pid: String(process.pid) })}`);
          // Asked for: the demo ran, and stopping it is its normal end (exit 0).
          await interruption.signalled;
        }
        if (!report.ok) throw new Error(t("cli.pipeline.broken"));
      } catch (error) {
        if (!(error instanceof Interrupted)) throw error;
        // Said once done, so that a script reading the line finds it true.
        await stopDemo(starting, options.dir ? undefined : dir);
        output.err(t("cli.pipeline.demoInterrupted", { signal: error.signal, dir, kept: options.dir ? "yes" : "no" }));
        throw error;
      } finally {
        interruption.dispose();
        await stopDemo(starting, options.dir ? undefined : dir);
      }
    });
}

/** A free port, not one another instance of this demo is about to take again. */
async function unchosenPort(chosen: (number | undefined)[]): Promise<number> {
  for (;;) {
    const port = await freePort("127.0.0.1");
    if (!chosen.includes(port)) return port;
  }
}

/** Closes every instance started or still starting, then removes `dir`, the temporary directory of the demo's own making (one named with --dir stays). */
async function stopDemo(starting: Promise<RunningServer>[], dir: string | undefined): Promise<void> {
  for (const server of starting.splice(0)) await server.then((s) => s.close()).catch(() => {});
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
