import stringWidth from "string-width";
import { padColumns, table } from "../cli/output.ts";
import { isStoredText, type StoredText, worded } from "../i18n/stored-text.ts";
import { translator, type Translator } from "../i18n/translator.ts";
import type { PipelineFile } from "./pipeline-file.ts";
import { type InstanceAdminClient, RemoteAdminError } from "./instance-admin-client.ts";
import { leftoverKeys, leftoverRecords } from "./pipeline-leftovers.ts";
import { checkAccess } from "./pipeline-preflight.ts";
import { recordRunEverywhere } from "./pipeline-record.ts";
import type { PipelineRunKind } from "../domain/pipeline-run-report.ts";
import { actsAs, applyEndpoint, type Clients, directions, type EndpointSpec, endpointSpecs, probePath, resolveTokenUsers, type Step, type Subject, tokenUrlOf } from "./pipeline-plan.ts";

const english = translator("en");

export interface EdgeState {
  edge: string;
  direction: string;
  provider: string;
  status: "ok" | "broken";
  /** Worded for the reader by trustTable; recorded on the instances as its catalog text, so each page words it in its reader's language. */
  detail: StoredText;
  tokenExpiresAt: string;
  /** The token renews itself when next used (a refresh token held, or client_credentials): past its expiry the edge still works. */
  tokenRenewable?: boolean;
}

export interface PipelineReport {
  ok: boolean;
  changes: number;
  steps: Step[];
  /** What differs from the plan, worded for the reader by the CLI and recorded as catalog texts. */
  drift: StoredText[];
  edges: EdgeState[];
}


/** Only what the instance said: an older one does not say whether its token renews. */
const renewable = (connection: { renewable?: boolean } | undefined) => (connection?.renewable === undefined ? {} : { tokenRenewable: connection.renewable });

type Probe = Awaited<ReturnType<InstanceAdminClient["call"]>>;
const failedProbe = (error: Error): Probe => (error instanceof RemoteAdminError ? { status: 0, body: error.text, code: error.code } : { status: 0, body: error.message });
/**
 * Nobody refused anything: the far side (or the consumer) was never answered. A new secret
 * cannot make a peer reachable or its certificate trusted; it only voided the copies every
 * other consumer held, once per direction, on every run until the network was fixed.
 */
const unanswered = (call: Probe): boolean => call.code === "unreachable" || call.code === "certificate";

const describe = (body: unknown) => (typeof body === "string" ? body : JSON.stringify(body)).slice(0, 200);

/**
 * What a probe call's outcome reads as in the edge's detail column. With `wantUser` (the far
 * side's token_user), a token that acts as anyone else is a broken edge too: whoami allows it.
 */
function callOutcome(call: { status: number; body: unknown }, wantUser?: string): { status: "ok" | "broken"; detail: StoredText } {
  if (call.status === 200 && wantUser !== undefined && actsAs(call) !== wantUser) return { status: "broken", detail: { key: "trust.detail.wrongUser", values: { actual: actsAs(call) || { key: "trust.detail.noUser" }, user: wantUser } } };
  return { status: call.status === 200 ? "ok" : "broken", detail: callDetail(call) };
}

function callDetail(call: { status: number; body: unknown }): StoredText {
  if (call.status === 200) return { key: "trust.detail.callOk", values: { path: probePath } };
  // A failure of our own request is a catalog text (the admin client's), worded in the reader's language.
  if (!call.status) return { key: "trust.detail.callFailed", values: { path: probePath, body: isStoredText(call.body) ? (call.body as StoredText) : describe(call.body) } };
  return { key: "trust.detail.callStatus", values: { path: probePath, status: call.status, body: describe(call.body) } };
}

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
  const { resolved: tokenUsers, missing } = await resolveTokenUsers(pipeline, clients);
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
        await consumer.getToken(provider.sysId);
        report({ instance: d.from.name, action: "token", subject: { kind: "token", from: d.to.name } });
      }
      return consumer.call(provider.sysId, "GET", probePath);
    };
    let call = await attempt().catch(failedProbe);
    // A token keeps the user it was issued for: one from before token_user was set or changed is fetched again.
    if (callOutcome(call, wantUser).status === "broken" && call.status === 200) call = await attempt(true).catch(failedProbe);
    const spec = specs.find((s) => s.host === d.to && s.consumers.some((c) => c.instance === d.from))!;
    if (call.status !== 200 && !unanswered(call) && !repaired.has(spec)) {
      // A secret changed behind our back (invalid_client) or a record was half-made: give the endpoint a new secret and try once more.
      // Once per endpoint: every consumer got the new secret, so a second failure is not the secret's.
      repaired.add(spec);
      await applyEndpoint(spec, clients, report, { forceNewSecret: true, tokenUserSysId: tokenUsers.get(spec.host.name) });
      call = await attempt().catch(failedProbe);
    }
    const provider = await consumer.findProvider(d.providerName);
    const connection = (await consumer.connections()).find((c) => c.sysId === provider?.sysId);
    edges.push({
      edge: d.edge,
      direction: `${d.from.name} → ${d.to.name}`,
      provider: d.providerName,
      ...callOutcome(call, wantUser),
      tokenExpiresAt: connection?.expiresAt ?? "",
      ...renewable(connection),
    });
  }
  const changes = steps.filter((s) => s.action !== "unchanged").length;
  print(changes === 0 ? i18n.t("trust.nothingChanged") : i18n.t("trust.changes", { count: changes }));
  // Not this run's to remove (it cannot reach an instance the file dropped), but never to be passed over in silence.
  const leftovers = await leftoverRecords(pipeline, clients);
  for (const line of leftovers) print(i18n.t("cli.pipeline.drift", { line: worded(line, i18n.t) }));
  const result = { ok: edges.every((e) => e.status === "ok"), changes, steps, drift: leftovers, edges };
  await recordRunEverywhere(pipeline, clients, "up", result);
  return result;
}

/**
 * `pipeline verify` and `status`, and rotate's look before it starts: reads everything, changes
 * nothing, names every difference from the plan (as texts the reader's language words). What it
 * saw is left on every instance under the command that ran, which the Pipeline page names.
 */
export async function pipelineInspect(pipeline: PipelineFile, clients: Clients, options: { recordAs: PipelineRunKind }): Promise<PipelineReport> {
  const drift: StoredText[] = [];
  await checkAccess(pipeline, clients);
  const { resolved: tokenUsers, missing } = await resolveTokenUsers(pipeline, clients);
  for (const m of missing) drift.push({ key: "trust.noTokenUser", values: m });
  for (const spec of endpointSpecs(pipeline)) {
    const endpoint = await clients.get(spec.host.name)!.findEndpoint(spec.name);
    if (!endpoint) drift.push({ key: "trust.drift.endpointMissing", values: { instance: spec.host.name, name: spec.name } });
    else if (endpoint.redirectUrls.slice().sort().join() !== spec.redirectUrls.slice().sort().join()) drift.push({ key: "trust.drift.redirects", values: { instance: spec.host.name, name: spec.name, actual: endpoint.redirectUrls.join(", "), planned: spec.redirectUrls.join(", ") } });
    if (endpoint && !endpoint.active) drift.push({ key: "trust.drift.inactive", values: { instance: spec.host.name, name: spec.name } });
    if (endpoint && tokenUsers.has(spec.host.name) && endpoint.clientCredentialsUser !== tokenUsers.get(spec.host.name)) drift.push({ key: "trust.drift.tokenUser", values: { instance: spec.host.name, name: spec.name, user: spec.host.token_user! } });
    for (const c of spec.consumers) {
      const provider = await clients.get(c.instance.name)!.findProvider(c.providerName);
      const which = { instance: c.instance.name, name: c.providerName };
      if (!provider) drift.push({ key: "trust.drift.providerMissing", values: which });
      else if (endpoint && provider.clientId !== endpoint.clientId) drift.push({ key: "trust.drift.clientId", values: { ...which, host: spec.host.name, endpoint: spec.name } });
      else if (provider.tokenUrl !== tokenUrlOf(spec.host)) drift.push({ key: "trust.drift.tokenUrl", values: { ...which, actual: provider.tokenUrl, planned: tokenUrlOf(spec.host) } });
    }
  }
  drift.push(...(await leftoverRecords(pipeline, clients)));
  const edges: EdgeState[] = [];
  for (const d of directions(pipeline)) {
    const consumer = clients.get(d.from.name)!;
    const provider = await consumer.findProvider(d.providerName);
    const base = { edge: d.edge, direction: `${d.from.name} → ${d.to.name}`, provider: d.providerName };
    if (!provider) {
      edges.push({ ...base, status: "broken", detail: { key: "trust.detail.noProvider" }, tokenExpiresAt: "" });
      continue;
    }
    const connection = (await consumer.connections()).find((c) => c.sysId === provider.sysId);
    if (connection?.status !== "healthy") {
      edges.push({ ...base, status: "broken", detail: connection?.status === "unhealthy" ? { key: "trust.detail.unhealthy", values: { reason: connection.statusReason } } : { key: "trust.detail.noToken" }, tokenExpiresAt: connection?.expiresAt ?? "", ...renewable(connection) });
      continue;
    }
    // A probe sends the stored token as is: a revoked one shows as 401 instead of being replaced.
    const call = await consumer.call(provider.sysId, "GET", probePath, { probe: true });
    edges.push({ ...base, ...callOutcome(call, d.to.token_user), tokenExpiresAt: connection.expiresAt, ...renewable(connection) });
  }
  const result = { ok: drift.length === 0 && edges.every((e) => e.status === "ok"), changes: 0, steps: [], drift, edges };
  // Only what was seen is left behind, for the Pipeline page; no record of the trust changes.
  await recordRunEverywhere(pipeline, clients, options.recordAs, result);
  return result;
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
        ...callOutcome(call, spec.host.token_user),
        tokenExpiresAt: connection?.expiresAt ?? "",
        ...renewable(connection),
      });
    }
  }
  print(i18n.t("trust.changes", { count: steps.length }));
  const result = { ok: edges.every((e) => e.status === "ok"), changes: steps.length, steps, drift: [], edges };
  await recordRunEverywhere(pipeline, clients, "rotate", result);
  return result;
}
