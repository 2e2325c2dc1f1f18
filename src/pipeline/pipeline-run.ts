import stringWidth from "string-width";
import { padColumns, table } from "../cli/output.ts";
import { worded } from "../i18n/stored-text.ts";
import { translator, type Translator } from "../i18n/translator.ts";
import type { PipelineFile } from "./pipeline-file.ts";
import { callOutcome, failedProbe, type Probe, unanswered } from "./edge-detail.ts";
import { leftoverKeys, leftoverRecords } from "./pipeline-leftovers.ts";
import { pipelineInspect } from "./pipeline-inspect.ts";
import { checkAccess } from "./pipeline-preflight.ts";
import { recordRunEverywhere } from "./pipeline-record.ts";
import { type EdgeState, type PipelineReport, renewable } from "./pipeline-report.ts";
import { applyEndpoint, type Clients, directions, type EndpointSpec, endpointSpecs, probePath, resolveTokenUsers, type Step, type Subject } from "./pipeline-plan.ts";

const english = translator("en");

function subjectText(i18n: Translator, subject: Subject): string {
  switch (subject.kind) {
    case "token":
      return i18n.t("trust.subject.token", { from: subject.from });
    case "providerTo":
      return i18n.t("trust.subject.providerTo", { name: subject.name, target: subject.target });
    case "tokenUser":
      return i18n.t("trust.subject.tokenUser", { name: subject.name, user: subject.user });
    case "rotatedProvider":
      return i18n.t("trust.subject.rotatedProvider", { name: subject.name, status: subject.status || i18n.t("trust.callFailed") });
    default:
      return i18n.t(`trust.subject.${subject.kind}`, { name: subject.name });
  }
}

const actions: Step["action"][] = ["created", "updated", "unchanged", "regenerated", "token"];

/** One progress line, its columns aligned in terminal cells so Korean lines up too. */
export function stepLine(i18n: Translator, step: Step): string {
  const actionWidth = Math.max(...actions.map((a) => stringWidth(i18n.t(`trust.action.${a}`))));
  return `  ${step.action === "unchanged" ? "·" : "+"} ${padColumns(step.instance, 12)} ${padColumns(i18n.t(`trust.action.${step.action}`), actionWidth)} ${subjectText(i18n, step.subject)}`;
}

/** `pipeline up`: applies the plan, repairs what drifted, proves every direction with a real call. */
export async function pipelineUp(pipeline: PipelineFile, clients: Clients, print: (line: string) => void, i18n: Translator = english): Promise<PipelineReport> {
  const steps: Step[] = [];
  // A heading is printed with the first step under it: a run that fetches no token shows none.
  let heading: string | undefined;
  const report = (step: Step) => {
    steps.push(step);
    if (heading) print(heading);
    heading = undefined;
    print(stepLine(i18n, step));
  };
  const specs = endpointSpecs(pipeline);
  await checkAccess(pipeline, clients);
  const { resolved: tokenUsers, missing } = await resolveTokenUsers([pipeline.production, ...pipeline.instances], clients);
  if (missing[0]) throw new Error(i18n.t("trust.noTokenUser", missing[0]));
  print(i18n.t("trust.records"));
  for (const spec of specs) await applyEndpoint(spec, clients, report, { tokenUserSysId: tokenUsers.get(spec.host.name) });

  heading = i18n.t("trust.tokensAndCalls");
  const edges: EdgeState[] = [];
  const repaired = new Set<EndpointSpec>();
  for (const d of directions(pipeline)) {
    const consumer = clients.get(d.from.name)!;
    const wantUser = d.to.token_user;
    const attempt = async (fresh = false): Promise<Probe> => {
      const provider = (await consumer.findProvider(d.providerName))!;
      const connection = (await consumer.connections()).find((c) => c.sysId === provider.sysId);
      if (fresh || connection?.status !== "healthy") {
        const refused = await consumer.getToken(provider.sysId).then(() => undefined, failedProbe("token", d));
        if (refused) return refused;
        report({ instance: d.from.name, action: "token", subject: { kind: "token", from: d.to.name } });
      }
      return consumer.call(provider.sysId, "GET", probePath);
    };
    let call = await attempt().catch(failedProbe("call", d));
    // A token keeps the user it was issued for: one from before token_user was set or changed is fetched again.
    if (callOutcome(call, d, wantUser).status === "broken" && call.status === 200) call = await attempt(true).catch(failedProbe("call", d));
    const spec = specs.find((s) => s.host === d.to && s.consumers.some((c) => c.instance === d.from))!;
    if (call.status !== 200 && !unanswered(call) && !repaired.has(spec)) {
      // A secret changed behind our back (invalid_client) or a record was half-made: give the endpoint a new secret and try once more.
      // Once per endpoint: every consumer got the new secret, so a second failure is not the secret's.
      repaired.add(spec);
      await applyEndpoint(spec, clients, report, { forceNewSecret: true, tokenUserSysId: tokenUsers.get(spec.host.name) });
      call = await attempt().catch(failedProbe("call", d));
    }
    const provider = await consumer.findProvider(d.providerName);
    const connection = (await consumer.connections()).find((c) => c.sysId === provider?.sysId);
    edges.push({
      edge: d.edge,
      direction: `${d.from.name} → ${d.to.name}`,
      provider: d.providerName,
      ...callOutcome(call, d, wantUser),
      tokenExpiresAt: connection?.expiresAt ?? "",
      ...renewable(connection),
    });
  }
  const changes = steps.filter((s) => s.action !== "unchanged").length;
  print(changes === 0 ? i18n.t("trust.nothingChanged") : i18n.t("trust.changes", { count: changes }));
  // Not this run's to remove (it cannot reach an instance the file dropped), but never to be passed over in silence.
  const leftovers = await leftoverRecords(pipeline, clients, [pipeline.production, ...pipeline.instances]);
  for (const line of leftovers) print(i18n.t("cli.pipeline.drift", { line: worded(line, i18n.t) }));
  const result = { ok: edges.every((e) => e.status === "ok"), changes, steps, drift: leftovers, unusable: [], edges };
  return { ...result, unrecorded: await recordRunEverywhere(pipeline, clients, "up", result) };
}

/** Both directions of every edge; headings, status and dates in the reader's language, columns aligned in terminal cells. */
export function trustTable(edges: EdgeState[], i18n: Translator = english): string {
  const { t } = i18n;
  const sorted = [...edges].sort((a, b) => a.edge.localeCompare(b.edge));
  return table(
    [t("trust.heading.edge"), t("trust.heading.direction"), t("trust.heading.status"), t("trust.heading.tokenExpires"), t("trust.heading.detail")],
    sorted.map((e) => [e.edge, e.direction, t(`trust.status.${e.status}`), e.tokenExpiresAt ? i18n.dateTime(e.tokenExpiresAt) : "-", worded(e.detail, t)]),
  );
}

/**
 * `pipeline rotate`: every endpoint gets a new secret and every provider record that uses it
 * is updated in place. Tokens already issued stay valid through the change (a new secret does
 * not revoke them), so calls keep working; each direction then gets a token with the new
 * secret and makes a call, which proves it.
 */
export async function pipelineRotate(pipeline: PipelineFile, clients: Clients, print: (line: string) => void, i18n: Translator = english): Promise<PipelineReport> {
  const specs = endpointSpecs(pipeline);
  const inspected = await pipelineInspect(pipeline, clients, { recordAs: "rotate" });
  // Records of an instance that left are no reason to wait: rotating is how its copy of a secret is voided.
  const drift = inspected.drift.filter((d) => !leftoverKeys.includes(d.key));
  if (drift.length > 0) throw new Error(`${i18n.t("trust.rotateDrifted")}\n  ${drift.map((d) => worded(d, i18n.t)).join("\n  ")}`);
  const steps: Step[] = [];
  const edges: EdgeState[] = [];
  for (const spec of specs) {
    const host = clients.get(spec.host.name)!;
    const endpoint = (await host.findEndpoint(spec.name))!;
    const secret = await host.regenerateEndpointSecret(endpoint.sysId);
    const regenerated: Step = { instance: spec.host.name, action: "regenerated", subject: { kind: "secret", name: spec.name } };
    steps.push(regenerated);
    print(stepLine(i18n, regenerated));
    for (const c of spec.consumers) {
      const consumer = clients.get(c.instance.name)!;
      const provider = (await consumer.findProvider(c.providerName))!;
      await consumer.setProviderSecret(provider.sysId, secret);
      await consumer.getToken(provider.sysId);
      const call = await consumer.call(provider.sysId, "GET", probePath);
      const updated: Step = { instance: c.instance.name, action: "updated", subject: { kind: "rotatedProvider", name: c.providerName, status: call.status } };
      steps.push(updated);
      print(stepLine(i18n, updated));
      const connection = (await consumer.connections()).find((x) => x.sysId === provider.sysId);
      edges.push({
        edge: `${pipeline.production.name} ⇄ ${spec.host === pipeline.production ? c.instance.name : spec.host.name}`,
        direction: `${c.instance.name} → ${spec.host.name}`,
        provider: c.providerName,
        ...callOutcome(call, { from: c.instance, to: spec.host }, spec.host.token_user),
        tokenExpiresAt: connection?.expiresAt ?? "",
        ...renewable(connection),
      });
    }
  }
  print(i18n.t("trust.changes", { count: steps.length }));
  const result = { ok: edges.every((e) => e.status === "ok"), changes: steps.length, steps, drift: [], unusable: [], edges };
  return { ...result, unrecorded: await recordRunEverywhere(pipeline, clients, "rotate", result) };
}
