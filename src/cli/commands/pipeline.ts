import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { loadConfig } from "../../config.ts";
import { ValidationError } from "../../domain/validation.ts";
import { portcullisAdminClient } from "../../pipeline/instance-admin-client.ts";
import { type PipelineFile, readPipeline } from "../../pipeline/pipeline-file.ts";
import type { Clients } from "../../pipeline/pipeline-plan.ts";
import { pipelineInspect, pipelineRotate, pipelineUp, trustTable } from "../../pipeline/pipeline-run.ts";
import { type RunningServer, startServer } from "../../server.ts";
import { readCaCertificates, trustingDispatcher } from "../../tls/trust.ts";
import type { Output } from "../output.ts";

/** A port the OS just handed out: the public URL (and so every redirect URL) must name it before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

interface PipelineOptions {
  caFile?: string;
  json?: boolean;
  keep?: boolean;
  dir?: string;
}

/** One admin client per instance, signed in with the credentials the environment holds. */
export function clientsFor(pipeline: PipelineFile, env: NodeJS.ProcessEnv, caFile?: string): Clients {
  const dispatcher = caFile ? trustingDispatcher(readCaCertificates(caFile)) : undefined;
  const clients: Clients = new Map();
  for (const instance of [pipeline.production, ...pipeline.instances]) {
    const password = env[instance.admin.password_env];
    if (!password) throw new ValidationError([{ field: `${instance.name}.admin.password_env`, message: `set ${instance.admin.password_env} to the admin password of ${instance.url}` }]);
    const user = instance.admin.user_env ? env[instance.admin.user_env] : instance.admin.user;
    if (!user) throw new ValidationError([{ field: `${instance.name}.admin.user_env`, message: `set ${instance.admin.user_env}` }]);
    clients.set(instance.name, portcullisAdminClient(instance.url, { user, password }, dispatcher));
  }
  return clients;
}

function printReport(output: Output, report: Awaited<ReturnType<typeof pipelineInspect>>): void {
  for (const line of report.drift) output.out(`drift: ${line}`);
  output.out(trustTable(report.edges));
  output.out(report.ok ? "Every edge works in both directions." : "Some edges are broken or records drifted (see above).");
}

export function pipelineCommand(output: Output, env: NodeJS.ProcessEnv): Command {
  const pipeline = new Command("pipeline").description("instances that trust each other: production (the controller) and its development, test… instances");
  const withCa = (c: Command) => c.option("--ca-file <pem>", "a private CA the instances' certificates chain to (e.g. a development CA)");

  withCa(pipeline.command("up <file>").description("create or repair every endpoint, provider record and token, then call across every edge")).action(async (file: string, options: PipelineOptions) => {
    const plan = readPipeline(file);
    const report = await pipelineUp(plan, clientsFor(plan, env, options.caFile), (line) => output.out(line));
    output.out(trustTable(report.edges));
    if (!report.ok) throw new Error("some edges are broken");
  });

  withCa(pipeline.command("rotate <file>").description("give every endpoint a new secret and update the other side, without a failed call in between")).action(async (file: string, options: PipelineOptions) => {
    const plan = readPipeline(file);
    const report = await pipelineRotate(plan, clientsFor(plan, env, options.caFile), (line) => output.out(line));
    output.out(trustTable(report.edges));
    if (!report.ok) throw new Error("some edges are broken after the rotation");
  });

  withCa(pipeline.command("verify <file>").description("report drift and broken edges without changing anything (exit 1 if any)")).action(async (file: string, options: PipelineOptions) => {
    const plan = readPipeline(file);
    const report = await pipelineInspect(plan, clientsFor(plan, env, options.caFile));
    printReport(output, report);
    if (!report.ok) throw new Error(`${report.drift.length} drift(s), ${report.edges.filter((e) => e.status !== "ok").length} broken direction(s)`);
  });

  withCa(pipeline.command("status <file>").description("the trust table, without changing anything").option("--json", "print JSON")).action(async (file: string, options: PipelineOptions) => {
    const plan = readPipeline(file);
    const report = await pipelineInspect(plan, clientsFor(plan, env, options.caFile));
    if (options.json) return output.out(JSON.stringify({ ok: report.ok, drift: report.drift, edges: report.edges }, null, 2));
    printReport(output, report);
  });

  pipeline
    .command("demo")
    .description("start production, development and test locally (three ports, three SQLite files) and run pipeline up")
    .option("--dir <dir>", "where the three data directories go (default: a new temporary directory)")
    .option("--keep", "keep the instances running until Ctrl-C")
    .action(async (options: PipelineOptions) => {
      const dir = options.dir ? path.resolve(options.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-demo-"));
      const names = ["production", "development", "test"] as const;
      const servers: RunningServer[] = [];
      const demoEnv: NodeJS.ProcessEnv = {};
      try {
        for (const name of names) {
          const password = randomBytes(12).toString("base64url");
          demoEnv[`${name.toUpperCase()}_ADMIN_PASSWORD`] = password;
          const server = await startServer(loadConfig({ dataDir: path.join(dir, name), port: await freePort(), adminPassword: password, logLevel: "silent" }), { logger: false, print: () => {} });
          servers.push(server);
        }
        const urls = servers.map((s) => s.url);
        const plan: PipelineFile = {
          production: { name: "production", url: urls[0]!, admin: { user: "admin", password_env: "PRODUCTION_ADMIN_PASSWORD" } },
          instances: names.slice(1).map((name, i) => ({ name, url: urls[i + 1]!, admin: { user: "admin", password_env: `${name.toUpperCase()}_ADMIN_PASSWORD` } })),
        };
        for (const [i, name] of names.entries()) output.out(`${name.padEnd(12)} ${urls[i]}  (SQLite in ${path.join(dir, name)})`);
        const report = await pipelineUp(plan, clientsFor(plan, demoEnv), (line) => output.out(line));
        output.out("");
        output.out(trustTable(report.edges));
        if (options.keep) {
          output.out("\nRunning; admin passwords: " + names.map((n) => `${n} ${demoEnv[`${n.toUpperCase()}_ADMIN_PASSWORD`]}`).join(", ") + ". Ctrl-C stops.");
          await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
        }
        if (!report.ok) throw new Error("some edges are broken");
      } finally {
        for (const server of servers) await server.close().catch(() => {});
      }
    });

  return pipeline;
}
