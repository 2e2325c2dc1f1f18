import { table } from "../cli/output.ts";
import type { PipelineFile } from "./pipeline-file.ts";
import { recordRunEverywhere } from "./pipeline-record.ts";
import { applyEndpoint, type Clients, directions, endpointSpecs, probePath, type Step, tokenUrlOf } from "./pipeline-plan.ts";

export interface EdgeState {
  edge: string;
  direction: string;
  provider: string;
  status: "ok" | "broken";
  detail: string;
  tokenExpiresAt: string;
}

export interface PipelineReport {
  ok: boolean;
  changes: number;
  steps: Step[];
  drift: string[];
  edges: EdgeState[];
}

const describe = (body: unknown) => (typeof body === "string" ? body : JSON.stringify(body)).slice(0, 200);

/** `pipeline up`: applies the plan, repairs what drifted, proves every direction with a real call. */
export async function pipelineUp(pipeline: PipelineFile, clients: Clients, print: (line: string) => void): Promise<PipelineReport> {
  const steps: Step[] = [];
  const report = (step: Step) => {
    steps.push(step);
    print(`  ${step.action === "unchanged" ? "·" : "+"} ${step.instance.padEnd(12)} ${step.action.padEnd(11)} ${step.what}`);
  };
  const specs = endpointSpecs(pipeline);
  print("Records:");
  for (const spec of specs) await applyEndpoint(spec, clients, report);

  print("Tokens and calls:");
  const edges: EdgeState[] = [];
  for (const d of directions(pipeline)) {
    const consumer = clients.get(d.from.name)!;
    const attempt = async (): Promise<{ status: number; body: unknown }> => {
      const provider = (await consumer.findProvider(d.providerName))!;
      const connection = (await consumer.connections()).find((c) => c.sysId === provider.sysId);
      if (connection?.status !== "healthy") {
        await consumer.getToken(provider.sysId);
        report({ instance: d.from.name, action: "token", what: `token from ${d.to.name} (client_credentials)` });
      }
      return consumer.call(provider.sysId, "GET", probePath);
    };
    let call = await attempt().catch((error: Error) => ({ status: 0, body: error.message }));
    if (call.status !== 200) {
      // A secret changed behind our back (invalid_client) or a record was half-made: give the endpoint a new secret and try once more.
      const spec = specs.find((s) => s.host === d.to && s.consumers.some((c) => c.instance === d.from))!;
      await applyEndpoint(spec, clients, report, true);
      call = await attempt().catch((error: Error) => ({ status: 0, body: error.message }));
    }
    const provider = await consumer.findProvider(d.providerName);
    const connection = (await consumer.connections()).find((c) => c.sysId === provider?.sysId);
    edges.push({
      edge: d.edge,
      direction: `${d.from.name} → ${d.to.name}`,
      provider: d.providerName,
      status: call.status === 200 ? "ok" : "broken",
      detail: call.status === 200 ? `GET ${probePath} 200` : `GET ${probePath}: ${call.status || "failed"} ${describe(call.body)}`,
      tokenExpiresAt: connection?.expiresAt ?? "",
    });
  }
  const changes = steps.filter((s) => s.action !== "unchanged").length;
  print(changes === 0 ? "Nothing changed: every record and token was already as planned." : `${changes} change${changes === 1 ? "" : "s"} made.`);
  const result = { ok: edges.every((e) => e.status === "ok"), changes, steps, drift: [], edges };
  await recordRunEverywhere(pipeline, clients, "up", result);
  return result;
}

/** `pipeline verify` and `status`: reads everything, changes nothing, names every difference from the plan. */
export async function pipelineInspect(pipeline: PipelineFile, clients: Clients): Promise<PipelineReport> {
  const drift: string[] = [];
  for (const spec of endpointSpecs(pipeline)) {
    const endpoint = await clients.get(spec.host.name)!.findEndpoint(spec.name);
    if (!endpoint) drift.push(`${spec.host.name}: endpoint "${spec.name}" is missing`);
    else if (endpoint.redirectUrls.slice().sort().join() !== spec.redirectUrls.slice().sort().join()) drift.push(`${spec.host.name}: "${spec.name}" has redirect URLs ${endpoint.redirectUrls.join(", ")}; planned ${spec.redirectUrls.join(", ")}`);
    for (const c of spec.consumers) {
      const provider = await clients.get(c.instance.name)!.findProvider(c.providerName);
      if (!provider) drift.push(`${c.instance.name}: provider "${c.providerName}" is missing`);
      else if (endpoint && provider.clientId !== endpoint.clientId) drift.push(`${c.instance.name}: provider "${c.providerName}" holds another client ID than ${spec.host.name}'s "${spec.name}"`);
      else if (provider.tokenUrl !== tokenUrlOf(spec.host)) drift.push(`${c.instance.name}: provider "${c.providerName}" points at ${provider.tokenUrl}; planned ${tokenUrlOf(spec.host)}`);
    }
  }
  const edges: EdgeState[] = [];
  for (const d of directions(pipeline)) {
    const consumer = clients.get(d.from.name)!;
    const provider = await consumer.findProvider(d.providerName);
    const base = { edge: d.edge, direction: `${d.from.name} → ${d.to.name}`, provider: d.providerName };
    if (!provider) {
      edges.push({ ...base, status: "broken", detail: "no provider record", tokenExpiresAt: "" });
      continue;
    }
    const connection = (await consumer.connections()).find((c) => c.sysId === provider.sysId);
    if (connection?.status !== "healthy") {
      edges.push({ ...base, status: "broken", detail: connection?.status === "unhealthy" ? `unhealthy: ${connection.statusReason}` : "no token", tokenExpiresAt: connection?.expiresAt ?? "" });
      continue;
    }
    // A probe sends the stored token as is: a revoked one shows as 401 instead of being replaced.
    const call = await consumer.call(provider.sysId, "GET", probePath, { probe: true });
    edges.push({ ...base, status: call.status === 200 ? "ok" : "broken", detail: call.status === 200 ? `GET ${probePath} 200` : `GET ${probePath}: ${call.status || "failed"} ${describe(call.body)}`, tokenExpiresAt: connection.expiresAt });
  }
  const result = { ok: drift.length === 0 && edges.every((e) => e.status === "ok"), changes: 0, steps: [], drift, edges };
  // Only what was seen is left behind, for the Pipeline page; no record of the trust changes.
  await recordRunEverywhere(pipeline, clients, "verify", result);
  return result;
}

export function trustTable(edges: EdgeState[]): string {
  const sorted = [...edges].sort((a, b) => a.edge.localeCompare(b.edge));
  return table(["EDGE", "DIRECTION", "STATUS", "TOKEN EXPIRES", "DETAIL"], sorted.map((e) => [e.edge, e.direction, e.status, e.tokenExpiresAt || "-", e.detail]));
}

/**
 * `pipeline rotate`: every endpoint gets a new secret and every provider record that uses it
 * is updated in place. Tokens already issued stay valid through the change (a new secret does
 * not revoke them), so calls keep working; each direction then gets a token with the new
 * secret and makes a call, which proves it.
 */
export async function pipelineRotate(pipeline: PipelineFile, clients: Clients, print: (line: string) => void): Promise<PipelineReport> {
  const specs = endpointSpecs(pipeline);
  const inspected = await pipelineInspect(pipeline, clients);
  if (inspected.drift.length > 0) throw new Error(`the pipeline has drifted; run pipeline up first:\n  ${inspected.drift.join("\n  ")}`);
  const steps: Step[] = [];
  const edges: EdgeState[] = [];
  for (const spec of specs) {
    const host = clients.get(spec.host.name)!;
    const endpoint = (await host.findEndpoint(spec.name))!;
    const secret = await host.regenerateEndpointSecret(endpoint.sysId);
    steps.push({ instance: spec.host.name, action: "regenerated", what: `client secret of "${spec.name}"` });
    print(`  + ${spec.host.name.padEnd(12)} regenerated client secret of "${spec.name}"`);
    for (const c of spec.consumers) {
      const consumer = clients.get(c.instance.name)!;
      const provider = (await consumer.findProvider(c.providerName))!;
      await consumer.setProviderSecret(provider.sysId, secret);
      await consumer.getToken(provider.sysId);
      const call = await consumer.call(provider.sysId, "GET", probePath);
      print(`  + ${c.instance.name.padEnd(12)} updated     provider "${c.providerName}", new token, call ${call.status || "failed"}`);
      steps.push({ instance: c.instance.name, action: "updated", what: `secret of provider "${c.providerName}"` });
      const connection = (await consumer.connections()).find((x) => x.sysId === provider.sysId);
      edges.push({
        edge: `${pipeline.production.name} ↔ ${spec.host === pipeline.production ? c.instance.name : spec.host.name}`,
        direction: `${c.instance.name} → ${spec.host.name}`,
        provider: c.providerName,
        status: call.status === 200 ? "ok" : "broken",
        detail: call.status === 200 ? `GET ${probePath} 200` : `GET ${probePath}: ${call.status || "failed"} ${describe(call.body)}`,
        tokenExpiresAt: connection?.expiresAt ?? "",
      });
    }
  }
  const result = { ok: edges.every((e) => e.status === "ok"), changes: steps.length, steps, drift: [], edges };
  await recordRunEverywhere(pipeline, clients, "rotate", result);
  return result;
}
