import type { FastifyReply, FastifyRequest } from "fastify";
import { parsePipelineRunReport, type RecordedPipelineRun } from "../../domain/pipeline-run-report.ts";
import { NotFoundError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { latestPipelineRun, recordPipelineRun } from "../../store/pipeline-run-store.ts";
import { apiStep, jsonObjectBody, requireAdmin } from "./admin-request.ts";

const view = (run: RecordedPipelineRun) => ({ sys_id: run.sysId, recorded_at: new Date(run.recordedAt).toISOString(), recorded_by: run.recordedBy, ...run.report });

/** POST /api/portcullis/pipeline/runs — `pipeline up/verify/rotate` leaves what it saw here, for the Pipeline page. */
export async function recordRun(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const run = await recordPipelineRun(instance.store.db, parsePipelineRunReport(jsonObjectBody(request)), actor.userName);
    reply.code(201).header("cache-control", "no-store").send({ result: view(run) });
  });
}

/** GET /api/portcullis/pipeline/runs/latest */
export async function latestRun(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const run = await latestPipelineRun(instance.store.db);
    if (!run) throw new NotFoundError("no pipeline run was recorded on this instance");
    reply.header("cache-control", "no-store").send({ result: view(run) });
  });
}
