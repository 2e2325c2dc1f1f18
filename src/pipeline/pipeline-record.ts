import type { PipelineRunReport } from "../domain/pipeline-run-report.ts";
import { clippedText, inEnglish } from "../i18n/stored-text.ts";
import type { PipelineFile } from "./pipeline-file.ts";
import { RemoteAdminError } from "./instance-admin-client.ts";
import type { Clients } from "./pipeline-plan.ts";
import type { PipelineReport } from "./pipeline-report.ts";

/** The report as every instance keeps it: who is in the pipeline, and how each direction fared. */
export function runReport(pipeline: PipelineFile, kind: PipelineRunReport["kind"], report: Omit<PipelineReport, "unrecorded">): PipelineRunReport {
  return {
    kind,
    ok: report.ok,
    instances: [{ ...pipeline.production, controller: true }, ...pipeline.instances.map((i) => ({ ...i, controller: false }))].map((i) => ({ name: i.name, url: i.url, controller: i.controller })),
    edges: report.edges.map((e) => {
      const [from, to] = e.direction.split(" → ");
      return { from: from!, to: to!, provider: e.provider, status: e.status, detail: inEnglish(e.detail).slice(0, 1000), detail_text: clippedText(e.detail, 200), token_expires_at: e.tokenExpiresAt, ...(e.tokenRenewable === undefined ? {} : { token_renewable: e.tokenRenewable }) };
    }),
    drift: report.drift.map((d) => inEnglish(d).slice(0, 1000)),
    drift_text: report.drift.map((d) => clippedText(d, 200)),
  };
}

/** The report as an instance from before `detail_text`, `token_renewable` and `drift_text` takes it (its schema refuses fields it does not know). */
const withoutTexts = (report: PipelineRunReport): PipelineRunReport => ({ ...report, edges: report.edges.map(({ detail_text: _, token_renewable: __, ...edge }) => edge), drift_text: undefined });

/**
 * An instance from before this kind of run (status, before it was recorded under its own name)
 * refuses the report at `kind`, the field its schema names in the Table API envelope's detail.
 */
const refusesKind = (error: unknown): boolean => error instanceof RemoteAdminError && error.status === 400 && /^invalid_request: (?:.*; )?kind: /.test(error.code);

/**
 * Leaves the run's report on every instance, for its Pipeline page. This is bookkeeping, not
 * part of the trust: an instance that cannot take it (unreachable, or too old to have the
 * API) is skipped, and the run's own verdict stands. Returns the instances that have the API
 * but refused this kind of run, for the command to name: their page goes on showing an older run.
 */
export async function recordRunEverywhere(pipeline: PipelineFile, clients: Clients, kind: PipelineRunReport["kind"], report: Omit<PipelineReport, "unrecorded">): Promise<string[]> {
  const payload = runReport(pipeline, kind, report);
  const refused = await Promise.all(
    [...clients].map(([name, client]) =>
      client
        .recordRun(payload)
        .catch((error) => (error instanceof RemoteAdminError && error.status === 400 ? client.recordRun(withoutTexts(payload)) : Promise.reject(error)))
        .then((): string[] => [], (error): string[] => (refusesKind(error) ? [name] : [])),
    ),
  );
  return refused.flat();
}
