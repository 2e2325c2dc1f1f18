import type { StoredText } from "../i18n/stored-text.ts";
import type { PipelineRunKind } from "../domain/pipeline-run-report.ts";
import type { PipelineFile, PipelineInstance } from "./pipeline-file.ts";
import { callOutcome, pipelineReason } from "./edge-detail.ts";
import { leftoverRecords } from "./pipeline-leftovers.ts";
import { type Clients, directions, endpointSpecs, probePath, resolveTokenUsers, tokenUrlOf } from "./pipeline-plan.ts";
import { PipelineAccessError, unusableInstances } from "./pipeline-preflight.ts";
import { recordRunEverywhere } from "./pipeline-record.ts";
import { type EdgeState, type PipelineReport, renewable } from "./pipeline-report.ts";

/** Each difference from the plan on the instances that can be read; an endpoint on one that cannot is not "missing". */
async function planDrift(pipeline: PipelineFile, clients: Clients, usable: (i: PipelineInstance) => boolean): Promise<StoredText[]> {
  const drift: StoredText[] = [];
  const { resolved: tokenUsers, missing } = await resolveTokenUsers([pipeline.production, ...pipeline.instances].filter(usable), clients);
  for (const m of missing) drift.push({ key: "trust.noTokenUser", values: m });
  for (const spec of endpointSpecs(pipeline)) {
    const endpoint = usable(spec.host) ? await clients.get(spec.host.name)!.findEndpoint(spec.name) : undefined;
    if (usable(spec.host)) {
      if (!endpoint) drift.push({ key: "trust.drift.endpointMissing", values: { instance: spec.host.name, name: spec.name } });
      else if (endpoint.redirectUrls.slice().sort().join() !== spec.redirectUrls.slice().sort().join()) drift.push({ key: "trust.drift.redirects", values: { instance: spec.host.name, name: spec.name, actual: endpoint.redirectUrls.join(", "), planned: spec.redirectUrls.join(", ") } });
      if (endpoint && !endpoint.active) drift.push({ key: "trust.drift.inactive", values: { instance: spec.host.name, name: spec.name } });
      if (endpoint && tokenUsers.has(spec.host.name) && endpoint.clientCredentialsUser !== tokenUsers.get(spec.host.name)) drift.push({ key: "trust.drift.tokenUser", values: { instance: spec.host.name, name: spec.name, user: spec.host.token_user! } });
    }
    for (const c of spec.consumers.filter((c) => usable(c.instance))) {
      const provider = await clients.get(c.instance.name)!.findProvider(c.providerName);
      const which = { instance: c.instance.name, name: c.providerName };
      if (!provider) drift.push({ key: "trust.drift.providerMissing", values: which });
      else if (endpoint && provider.clientId !== endpoint.clientId) drift.push({ key: "trust.drift.clientId", values: { ...which, host: spec.host.name, endpoint: spec.name } });
      else if (provider.tokenUrl !== tokenUrlOf(spec.host)) drift.push({ key: "trust.drift.tokenUrl", values: { ...which, actual: provider.tokenUrl, planned: tokenUrlOf(spec.host) } });
    }
  }
  drift.push(...(await leftoverRecords(pipeline, clients, [pipeline.production, ...pipeline.instances].filter(usable))));
  return drift;
}

/**
 * `pipeline verify` and `status`, and rotate's look before it starts: reads everything, changes
 * nothing, names every difference from the plan (as texts the reader's language words). What it
 * saw is left on every instance under the command that ran, which the Pipeline page names.
 *
 * An instance that cannot be used stops rotate before it starts, as it stops up. verify and
 * status check what they can without it: a direction from it is broken with its cause, one to
 * it is still tried from the other side (the instances may reach it where this command does
 * not) and broken with its cause when that call finds nobody either. The report is left on the
 * instances that can take it, so their Pipeline pages stop showing a run from when all was well.
 */
export async function pipelineInspect(pipeline: PipelineFile, clients: Clients, options: { recordAs: PipelineRunKind }): Promise<PipelineReport> {
  const unusable = await unusableInstances(pipeline, clients);
  if (options.recordAs === "rotate" && unusable.length > 0) throw new PipelineAccessError(unusable.map((u) => u.access));
  const down = new Map(unusable.map((u) => [u.instance.name, u.edgeDetail]));
  const usable = (i: PipelineInstance) => !down.has(i.name);
  const drift = await planDrift(pipeline, clients, usable);
  const edges: EdgeState[] = [];
  for (const d of directions(pipeline)) {
    const base = { edge: d.edge, direction: `${d.from.name} → ${d.to.name}`, provider: d.providerName };
    const fromDown = down.get(d.from.name);
    if (fromDown) {
      edges.push({ ...base, status: "broken", detail: fromDown, tokenExpiresAt: "" });
      continue;
    }
    const consumer = clients.get(d.from.name)!;
    const provider = await consumer.findProvider(d.providerName);
    if (!provider) {
      edges.push({ ...base, status: "broken", detail: { key: "trust.detail.noProvider" }, tokenExpiresAt: "" });
      continue;
    }
    const connection = (await consumer.connections()).find((c) => c.sysId === provider.sysId);
    if (connection?.status !== "healthy") {
      edges.push({ ...base, status: "broken", detail: connection?.status === "unhealthy" ? { key: "trust.detail.unhealthy", values: { reason: pipelineReason(connection.statusReason, d) } } : { key: "trust.detail.noToken" }, tokenExpiresAt: connection?.expiresAt ?? "", ...renewable(connection) });
      continue;
    }
    // A probe sends the stored token as is: a revoked one shows as 401 instead of being replaced.
    const call = await consumer.call(provider.sysId, "GET", probePath, { probe: true });
    const toDown = call.status === 0 ? down.get(d.to.name) : undefined;
    edges.push({ ...base, ...(toDown ? { status: "broken" as const, detail: toDown } : callOutcome(call, d, d.to.token_user)), tokenExpiresAt: connection.expiresAt, ...renewable(connection) });
  }
  const result: Omit<PipelineReport, "unrecorded"> = { ok: unusable.length === 0 && drift.length === 0 && edges.every((e) => e.status === "ok"), changes: 0, steps: [], drift, unusable: unusable.map((u) => u.access), edges };
  // Only what was seen is left behind, for the Pipeline page; no record of the trust changes.
  const unrecorded = await recordRunEverywhere(pipeline, new Map([...clients].filter(([name]) => !down.has(name))), options.recordAs, result);
  return { ...result, unrecorded };
}
