import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { ConfigError, loadConfig, localConfigError } from "../../config.ts";
import { ValidationError } from "../../domain/validation.ts";
import { portcullisAdminClient, RemoteAdminError } from "../../pipeline/instance-admin-client.ts";
import { type PipelineFile, readPipeline } from "../../pipeline/pipeline-file.ts";
import type { Clients } from "../../pipeline/pipeline-plan.ts";
import { inEnglish, worded } from "../../i18n/stored-text.ts";
import { PipelineAccessError } from "../../pipeline/pipeline-preflight.ts";
import { pipelineInspect, pipelineRotate, pipelineUp, trustTable } from "../../pipeline/pipeline-run.ts";
import { assertCanListen, freePort } from "../../listen-probe.ts";
import { type RunningServer, startServer } from "../../server.ts";
import { readCaCertificates, trustingDispatcher } from "../../tls/trust.ts";
import { translator, type Translator } from "../../i18n/translator.ts";
import { type Output, padColumns } from "../output.ts";
import { keptDemoFollowUp, writeDemoPipelineFile } from "./kept-demo.ts";

interface PipelineOptions {
  caFile?: string;
  json?: boolean;
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

/** Ctrl-C, or a SIGTERM from kill or a service manager: either ends a kept demo, and its temporary directory goes with it. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** `--ca-file`, refused with its name: OpenSSL alone says "bad end line" and names no file. */
function caFileCertificates(file: string, i18n: Translator): string {
  try {
    return readCaCertificates(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code && !code.startsWith("ERR_") ? code : i18n.t("cli.pipeline.caFileNotPem");
    throw new ValidationError([{ field: "--ca-file", message: i18n.t("cli.pipeline.caFile", { file, reason }) }]);
  }
}

/** One admin client per instance, signed in with the credentials the environment holds. */
export function clientsFor(pipeline: PipelineFile, env: NodeJS.ProcessEnv, caFile?: string, i18n: Translator = translator("en")): Clients {
  const dispatcher = caFile ? trustingDispatcher(caFileCertificates(caFile, i18n)) : undefined;
  const clients: Clients = new Map();
  // Every variable that is not set, at once: one run to learn them all, not one per variable.
  const issues: { field: string; message: string }[] = [];
  for (const instance of [pipeline.production, ...pipeline.instances]) {
    const password = env[instance.admin.password_env];
    if (!password) issues.push({ field: `${instance.name}.admin.password_env`, message: i18n.t("cli.pipeline.passwordEnv", { variable: instance.admin.password_env, url: instance.url }) });
    const user = instance.admin.user_env ? env[instance.admin.user_env] : instance.admin.user;
    if (!user) issues.push({ field: `${instance.name}.admin.user_env`, message: i18n.t("cli.pipeline.userEnv", { variable: instance.admin.user_env ?? "" }) });
    if (password && user) clients.set(instance.name, portcullisAdminClient(instance.url, { user, password }, dispatcher));
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return clients;
}

function printReport(output: Output, i18n: Translator, report: Awaited<ReturnType<typeof pipelineInspect>>): void {
  for (const line of report.drift) output.out(i18n.t("cli.pipeline.drift", { line: worded(line, i18n.t) }));
  output.out(trustTable(report.edges, i18n));
  output.out(i18n.t(report.ok ? "cli.pipeline.allOk" : "cli.pipeline.someBroken"));
}

/**
 * An instance the run could not sign in to (one line each), or one that failed it midway (gone
 * down after the sign-in, say), named as the file names it and in the reader's language. A
 * certificate refused midway (the instance restarted with a new development CA, or another
 * server took its port) gets the cure the sign-in gives: the CA, with --ca-file or in its file.
 */
function wordedAccess(plan: PipelineFile, i18n: Translator, options: { caFile: string | undefined }): (error: unknown) => never {
  return (error) => {
    if (error instanceof PipelineAccessError) throw new Error([i18n.t("trust.access.stopped"), ...error.texts.map((text) => `  ${worded(text, i18n.t)}`)].join("\n"));
    const instance = error instanceof RemoteAdminError && [plan.production, ...plan.instances].find((i) => i.url === error.baseUrl);
    if (!instance) throw error;
    const failure = error as RemoteAdminError;
    if (failure.code === "certificate") {
      const values = { instance: instance.name, url: instance.url, reason: failure.reason ?? failure.message, given: options.caFile ? "yes" : "no", file: options.caFile ?? "" };
      throw new Error(i18n.t("trust.access.midwayCertificate", values));
    }
    throw new Error(i18n.t("trust.access.midway", { instance: instance.name, reason: worded(failure.text, i18n.t) }));
  };
}

export function pipelineCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  const { t } = i18n;
  const print = (line: string) => output.out(line);
  const pipeline = new Command("pipeline").description(t("help.pipeline"));
  const withCa = (c: Command) => c.option("--ca-file <pem>", t("help.pipeline.caFile"));
  // On stderr, before the first answer comes: an instance that hangs gives seconds of silence until its timeout.
  // The file and the environment are checked first: an unset password variable is not "signing in".
  const readPlan = (file: string, caFile: string | undefined) => {
    const plan = readPipeline(file);
    const clients = clientsFor(plan, env, caFile, i18n);
    output.err(t("cli.pipeline.signingIn", { count: 1 + plan.instances.length }));
    return { plan, clients };
  };

  withCa(pipeline.command("up <file>").description(t("help.pipeline.up"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineUp(plan, clients, print, i18n).catch(wordedAccess(plan, i18n, { caFile: options.caFile }));
    output.out(trustTable(report.edges, i18n));
    if (!report.ok) throw new Error(t("cli.pipeline.broken"));
  });

  withCa(pipeline.command("rotate <file>").description(t("help.pipeline.rotate"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineRotate(plan, clients, print, i18n).catch(wordedAccess(plan, i18n, { caFile: options.caFile }));
    output.out(trustTable(report.edges, i18n));
    if (!report.ok) throw new Error(t("cli.pipeline.brokenAfterRotate"));
  });

  withCa(pipeline.command("verify <file>").description(t("help.pipeline.verify"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineInspect(plan, clients).catch(wordedAccess(plan, i18n, { caFile: options.caFile }));
    printReport(output, i18n, report);
    if (!report.ok) throw new Error(t("cli.pipeline.verifyFailed", { drift: report.drift.length, broken: report.edges.filter((e) => e.status !== "ok").length }));
  });

  withCa(pipeline.command("status <file>").description(t("help.pipeline.status")).option("--json", t("help.option.json"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineInspect(plan, clients).catch(wordedAccess(plan, i18n, { caFile: options.caFile }));
    // JSON is for scripts: its texts stay English whatever the reader's language.
    if (options.json) return output.out(JSON.stringify({ ok: report.ok, drift: report.drift.map(inEnglish), edges: report.edges.map((e) => ({ ...e, detail: inEnglish(e.detail) })) }, null, 2));
    printReport(output, i18n, report);
  });

  pipeline
    .command("demo")
    .description(t("help.pipeline.demo"))
    .option("--dir <dir>", t("help.pipeline.dir"))
    .option("--keep", t("help.pipeline.keep"))
    .option("--port <port>", t("help.pipeline.port"))
    .action(async (options: PipelineOptions) => {
      const ports = demoPorts(options.port, i18n);
      if (ports) await assertDemoPortsFree(ports);
      const dir = options.dir ? path.resolve(options.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-demo-"));
      const names = ["production", "development", "test"] as const;
      const servers: RunningServer[] = [];
      const demoEnv: NodeJS.ProcessEnv = {};
      try {
        for (const [i, name] of names.entries()) {
          const password = randomBytes(12).toString("base64url");
          demoEnv[`${name.toUpperCase()}_ADMIN_PASSWORD`] = password;
          const server = await startServer(loadConfig({ dataDir: path.join(dir, name), port: ports?.[i] ?? (await freePort("127.0.0.1")), adminPassword: password, logLevel: "silent" }), { logger: false, print: () => {} });
          servers.push(server);
        }
        const urls = servers.map((s) => s.url);
        const plan: PipelineFile = {
          production: { name: "production", url: urls[0]!, admin: { user: "admin", password_env: "PRODUCTION_ADMIN_PASSWORD" } },
          instances: names.slice(1).map((name, i) => ({ name, url: urls[i + 1]!, admin: { user: "admin", password_env: `${name.toUpperCase()}_ADMIN_PASSWORD` } })),
        };
        for (const [i, name] of names.entries()) output.out(`${padColumns(name, 12)} ${t("cli.pipeline.demoInstance", { url: urls[i]!, dir: path.join(dir, name) })}`);
        const report = await pipelineUp(plan, clientsFor(plan, demoEnv, undefined, i18n), print, i18n);
        output.out("");
        output.out(trustTable(report.edges, i18n));
        if (options.keep) {
          const passwords = names.map((n) => `${n} ${demoEnv[`${n.toUpperCase()}_ADMIN_PASSWORD`]}`).join(", ");
          output.out(`\n${keptDemoFollowUp(writeDemoPipelineFile(dir, plan), demoEnv, i18n)}`);
          // Listening before saying so: a signal sent on reading the line must not find the default action still in place.
          const interrupted = untilInterrupted();
          output.out(`\n${t("cli.pipeline.demoRunning", { passwords, pid: String(process.pid) })}`);
          await interrupted;
        }
        if (!report.ok) throw new Error(t("cli.pipeline.broken"));
      } finally {
        for (const server of servers) await server.close().catch(() => {});
        // A temporary directory of our own making goes with the demo; one named with --dir stays.
        if (!options.dir) fs.rmSync(dir, { recursive: true, force: true });
      }
    });

  return pipeline;
}
