import type { Kysely } from "kysely";
import { type PipelineRunReport, pipelineRunReportSchema, type RecordedPipelineRun } from "../domain/pipeline-run-report.ts";
import { newSysId } from "../domain/sys-id.ts";
import { isStoredText } from "../i18n/stored-text.ts";
import type { Database } from "./schema.ts";

/** Enough history to see the last few runs; the page reads only the newest. */
const kept = 20;

export async function recordPipelineRun(db: Kysely<Database>, report: PipelineRunReport, actor: string, now = Date.now()): Promise<RecordedPipelineRun> {
  const sysId = newSysId(now);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("pipeline_run").values({ sys_id: sysId, kind: report.kind, ok: report.ok ? 1 : 0, recorded_at: now, recorded_by: actor, report: JSON.stringify(report) }).execute();
    const old = await trx.selectFrom("pipeline_run").select("sys_id").orderBy("recorded_at", "desc").orderBy("sys_id", "desc").offset(kept).limit(1000).execute();
    if (old.length > 0) await trx.deleteFrom("pipeline_run").where("sys_id", "in", old.map((r) => r.sys_id)).execute();
  });
  return { sysId, recordedAt: now, recordedBy: actor, report };
}

function withoutUnknownTexts(report: unknown): unknown {
  const { edges, drift_text } = (report ?? {}) as { edges?: unknown; drift_text?: unknown };
  if (!Array.isArray(edges)) return report;
  const drift = Array.isArray(drift_text) && !drift_text.every(isStoredText) ? { drift_text: undefined } : {};
  return { ...(report as object), ...drift, edges: edges.map((e) => (e && typeof e === "object" && "detail_text" in e && !isStoredText(e.detail_text) ? { ...e, detail_text: undefined } : e)) };
}

export async function latestPipelineRun(db: Kysely<Database>): Promise<RecordedPipelineRun | undefined> {
  const row = await db.selectFrom("pipeline_run").selectAll().orderBy("recorded_at", "desc").orderBy("sys_id", "desc").limit(1).executeTakeFirst();
  if (!row) return undefined;
  // Validated on the way in; checked again so a hand-edited row cannot break the page. A detail
  // text this version cannot word (recorded by a newer one) is dropped, not the whole run: its English stays.
  const parsed = pipelineRunReportSchema.safeParse(withoutUnknownTexts(JSON.parse(row.report)));
  return parsed.success ? { sysId: row.sys_id, recordedAt: Number(row.recorded_at), recordedBy: row.recorded_by, report: parsed.data } : undefined;
}
