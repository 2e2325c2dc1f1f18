import { Command } from "commander";
import { RemoteAdminError } from "../../pipeline/instance-admin-client.ts";
import { type PipelineFile, readPipeline } from "../../pipeline/pipeline-file.ts";
import { inEnglish, type StoredText, worded } from "../../i18n/stored-text.ts";
import { PipelineAccessError } from "../../pipeline/pipeline-preflight.ts";
import type { PipelineRunKind } from "../../domain/pipeline-run-report.ts";
import { pipelineInspect } from "../../pipeline/pipeline-inspect.ts";
import type { PipelineReport } from "../../pipeline/pipeline-report.ts";
import { pipelineRotate, pipelineUp, trustTable } from "../../pipeline/pipeline-run.ts";
import { translator, type Translator } from "../../i18n/translator.ts";
import type { Output } from "../output.ts";
import { clientsFor } from "../pipeline-clients.ts";
import { pipelineDemoCommand } from "./pipeline-demo.ts";

interface PipelineOptions {
  caFile?: string;
  json?: boolean;
}

/** The certificate text's cure depends on the flag, which the pipeline does not know: the CA to pass with --ca-file, or to add to the file it names. */
function withCaFile(options: { caFile: string | undefined }): (text: StoredText) => StoredText {
  const caFile = { given: options.caFile ? "yes" : "no", file: options.caFile ?? "" };
  return (text) => (text.key === "trust.access.certificate" ? { ...text, values: { ...text.values, ...caFile } } : text);
}

/** What verify and status saw: the instances they could not use (each with its cure), the drift, then every direction. */
function printReport(output: Output, i18n: Translator, report: PipelineReport, options: { caFile: string | undefined }): void {
  if (report.unusable.length > 0) output.out([i18n.t("trust.access.notChecked"), ...report.unusable.map((text) => `  ${worded(withCaFile(options)(text), i18n.t)}`)].join("\n"));
  for (const line of report.drift) output.out(i18n.t("cli.pipeline.drift", { line: worded(line, i18n.t) }));
  output.out(trustTable(report.edges, i18n));
  output.out(i18n.t(report.ok ? "cli.pipeline.allOk" : "cli.pipeline.someBroken"));
}

/**
 * An instance of an older version that would not record this kind of run (status, before it had
 * its own name), one line each: its Pipeline page goes on showing an earlier run, which a reader
 * there would otherwise take for this one. On stderr, so status --json keeps stdout to its JSON;
 * the run's verdict and exit code stand.
 */
function nameUnrecorded(output: Output, i18n: Translator, plan: PipelineFile, report: PipelineReport, kind: PipelineRunKind): void {
  for (const instance of [plan.production, ...plan.instances].filter((i) => report.unrecorded.includes(i.name))) {
    output.err(i18n.t("cli.pipeline.runNotRecorded", { instance: instance.name, url: instance.url, kind }));
  }
}

/**
 * An instance the run could not sign in to (one line each), or one that failed it midway (gone
 * down after the sign-in, say), named as the file names it and in the reader's language. A
 * certificate refused, at the sign-in or midway (the instance restarted with a new development
 * CA, or another server took its port), gets its cure: the CA, with --ca-file or in its file.
 * A midway failure ends with what it left: up and rotate keep their changes and a second run
 * completes them; verify and status record their run only once all is seen, so they changed nothing.
 */
export function wordedAccess(plan: PipelineFile, i18n: Translator, options: { caFile: string | undefined; run: "changes" | "readOnly" }): (error: unknown) => never {
  const caFile = { given: options.caFile ? "yes" : "no", file: options.caFile ?? "", run: options.run };
  return (error) => {
    if (error instanceof PipelineAccessError) throw new Error([i18n.t("trust.access.stopped"), ...error.texts.map((text) => `  ${worded(withCaFile(options)(text), i18n.t)}`)].join("\n"));
    const instance = error instanceof RemoteAdminError && [plan.production, ...plan.instances].find((i) => i.url === error.baseUrl);
    if (!instance) throw error;
    const failure = error as RemoteAdminError;
    if (failure.code === "certificate") {
      const values = { instance: instance.name, url: instance.url, reason: failure.reason ?? failure.message, ...caFile };
      throw new Error(i18n.t("trust.access.midwayCertificate", values));
    }
    throw new Error(i18n.t("trust.access.midway", { instance: instance.name, reason: worded(failure.text, i18n.t), run: options.run }));
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
    const report = await pipelineUp(plan, clients, print, i18n).catch(wordedAccess(plan, i18n, { caFile: options.caFile, run: "changes" }));
    // A blank line between the run's lines and the table, as demo and the README print it.
    output.out("");
    output.out(trustTable(report.edges, i18n));
    nameUnrecorded(output, i18n, plan, report, "up");
    if (!report.ok) throw new Error(t("cli.pipeline.broken"));
  });

  withCa(pipeline.command("rotate <file>").description(t("help.pipeline.rotate"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineRotate(plan, clients, print, i18n).catch(wordedAccess(plan, i18n, { caFile: options.caFile, run: "changes" }));
    output.out("");
    output.out(trustTable(report.edges, i18n));
    nameUnrecorded(output, i18n, plan, report, "rotate");
    if (!report.ok) throw new Error(t("cli.pipeline.brokenAfterRotate"));
  });

  withCa(pipeline.command("verify <file>").description(t("help.pipeline.verify"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineInspect(plan, clients, { recordAs: "verify" }).catch(wordedAccess(plan, i18n, { caFile: options.caFile, run: "readOnly" }));
    printReport(output, i18n, report, { caFile: options.caFile });
    nameUnrecorded(output, i18n, plan, report, "verify");
    if (!report.ok) throw new Error(t("cli.pipeline.verifyFailed", { unusable: report.unusable.length, drift: report.drift.length, broken: report.edges.filter((e) => e.status !== "ok").length }));
  });

  withCa(pipeline.command("status <file>").description(t("help.pipeline.status")).option("--json", t("help.option.json"))).action(async (file: string, options: PipelineOptions) => {
    const { plan, clients } = readPlan(file, options.caFile);
    const report = await pipelineInspect(plan, clients, { recordAs: "status" }).catch(wordedAccess(plan, i18n, { caFile: options.caFile, run: "readOnly" }));
    // JSON is for scripts: its texts stay English whatever the reader's language.
    if (options.json) output.out(JSON.stringify({ ok: report.ok, unusable: report.unusable.map((text) => inEnglish(withCaFile({ caFile: options.caFile })(text))), drift: report.drift.map(inEnglish), edges: report.edges.map((e) => ({ ...e, detail: inEnglish(e.detail) })) }, null, 2));
    else printReport(output, i18n, report, { caFile: options.caFile });
    nameUnrecorded(output, i18n, plan, report, "status");
    // Broken edges are what status reports; an instance it could not ask is a failure to report them all.
    if (report.unusable.length > 0) throw new Error(t("cli.pipeline.statusUnusable", { count: report.unusable.length }));
  });

  pipeline.addCommand(pipelineDemoCommand(output, i18n));
  return pipeline;
}
