import type { PipelineRunReport } from "../../domain/pipeline-run-report.ts";
import type { Instance } from "../../instance.ts";
import { listClients } from "../../store/oauth-entity-store.ts";
import { type ConnectionHealth, connectionHealth, connectionStatuses } from "../../store/obtained-token-store.ts";
import { latestPipelineRun } from "../../store/pipeline-run-store.ts";
import { listProviders } from "../../store/provider-store.ts";
import { listTokens, tokenStatus } from "../../store/token-listing.ts";
import { paths } from "../paths.ts";
import { type StoredText, verbatim } from "../../i18n/stored-text.ts";

/**
 * The trust graph the Pipeline page draws. Nodes are instances, keyed by origin: this one, those
 * of the last recorded pipeline run and the peers its provider records name (by token URL). An
 * endpoint is drawn as a peer's edge only when its redirect URL is that known peer's
 * /oauth_redirect.do. An edge is one direction of OAuth trust: `from` holds a token `to` issued.
 */
export type EdgeHealth = "ok" | "unhealthy" | "no_token" | "expired";

export interface GraphNode {
  key: string;
  name: string;
  url: string;
  self: boolean;
  controller: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The record that carries the trust: a provider record on `from`, or an endpoint on `to`. */
  record: string;
  /** A provider record's OAuth Entity Profile (grant and scope its tokens are asked with). */
  profile?: string;
  health: EdgeHealth;
  /** Why it is not ok, worded by the page in its reader's language; null when there is nothing to say. */
  reason: StoredText | null;
  expiresAt: number | null;
  /** Held here, past its expiry, and renewed by a refresh token or client_credentials when next used. */
  renewsOnNextUse?: boolean;
  /** Where the verdict comes from: this instance's own records, or the last pipeline run. */
  source: "records" | "run";
}

export interface PipelineGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The drift in the page reader's terms: catalog texts, or an older run's English kept verbatim. */
  run: { kind: PipelineRunReport["kind"]; ok: boolean; recordedAt: number; drift: StoredText[] } | undefined;
}

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

const hostLabel = (origin: string) => new URL(origin).host;

const healthRank: Record<EdgeHealth, number> = { ok: 0, expired: 1, unhealthy: 2, no_token: 3 };

/** A run's edge past its token's expiry: the run cannot say whether that instance renewed it since. */
function expiryHealth(health: EdgeHealth, expiresAt: number | null, now: number): EdgeHealth {
  return health === "ok" && expiresAt !== null && expiresAt <= now ? "expired" : health;
}

/** A connection this instance holds, in the graph's terms: the same verdict as `provider list` and the provider's page. */
const edgeHealthOf: Record<ConnectionHealth, EdgeHealth> = { healthy: "ok", expired: "expired", unhealthy: "unhealthy", no_token: "no_token" };

const missingToken: readonly string[] = ["trust.detail.noToken", "trust.detail.noProvider"];

/**
 * A run's verdict in the page's terms: its detail names the missing token or the refusal. Runs
 * record it as a catalog text; a run by an older version left only English, read as before.
 */
function runHealth(edge: PipelineRunReport["edges"][number]): { health: EdgeHealth; reason: StoredText | null } {
  if (edge.status === "ok") return { health: "ok", reason: null };
  const text = edge.detail_text;
  if (text) {
    if (missingToken.includes(text.key)) return { health: "no_token", reason: text };
    const inner = text.key === "trust.detail.unhealthy" ? text.values?.reason : undefined;
    return { health: "unhealthy", reason: inner === undefined ? text : typeof inner === "object" ? inner : verbatim(String(inner)) };
  }
  if (edge.detail === "no token" || edge.detail === "no provider record") return { health: "no_token", reason: verbatim(edge.detail) };
  return { health: "unhealthy", reason: verbatim(edge.detail.replace(/^unhealthy: /, "")) };
}

const driftOf = (report: PipelineRunReport): StoredText[] => (report.drift_text?.length === report.drift.length ? report.drift_text : report.drift.map(verbatim));

export async function pipelineGraph(instance: Instance, now = Date.now()): Promise<PipelineGraph> {
  const db = instance.store.db;
  const selfKey = originOf(instance.config.publicUrl)!;
  const [recorded, providers, statuses, clients] = await Promise.all([latestPipelineRun(db), listProviders(db), connectionStatuses(db), listClients(db)]);
  const nodes = new Map<string, GraphNode>();
  const addNode = (url: string, name: string | undefined, controller = false): string => {
    const key = originOf(url)!;
    const known = nodes.get(key);
    if (known) {
      if (name) known.name = name;
      known.controller ||= controller;
    } else {
      nodes.set(key, { key, name: name ?? hostLabel(key), url: key, self: key === selfKey, controller });
    }
    return key;
  };
  addNode(instance.config.publicUrl, undefined);

  const edges = new Map<string, GraphEdge>();
  const edgeKey = (from: string, to: string) => `${from} ${to}`;
  const run = recorded?.report;
  if (run) {
    const keyOf = new Map(run.instances.map((i) => [i.name, addNode(i.url, i.name, i.controller)]));
    for (const e of run.edges) {
      const from = keyOf.get(e.from)!;
      const to = keyOf.get(e.to)!;
      const expiresAt = e.token_expires_at ? Date.parse(e.token_expires_at) : null;
      const { health, reason } = runHealth(e);
      // A token the run saw would renew itself is still a working edge past its expiry, as for a connection held here.
      const renewsOnNextUse = e.token_renewable === true && health === "ok" && expiresAt !== null && expiresAt <= now;
      edges.set(edgeKey(from, to), { from, to, record: e.provider, health: renewsOnNextUse ? health : expiryHealth(health, expiresAt, now), reason, expiresAt, ...(renewsOnNextUse ? { renewsOnNextUse } : {}), source: "run" });
    }
  }

  // Outbound: what this instance holds right now is newer than any run, except that a run
  // which saw the far side refuse a token this instance still holds knows more than we do.
  const statusOf = new Map(statuses.map((s) => [s.provider, s]));
  const outbound = new Map<string, { provider: (typeof providers)[number]; health: EdgeHealth; expiresAt: number }>();
  for (const provider of providers) {
    const peer = originOf(provider.tokenUrl);
    if (!peer || peer === selfKey) continue;
    const to = addNode(peer, undefined);
    const s = statusOf.get(provider.sysId);
    // A token past its expiry that a refresh token or client_credentials renews on its next use is still a working connection.
    const health = edgeHealthOf[connectionHealth(s, now)];
    // Several records may point at one peer (a spare, an older profile): the edge is the one
    // the run used, else the healthiest, never whichever happened to be listed last.
    const chosen = outbound.get(to);
    const runRecord = edges.get(edgeKey(selfKey, to))?.record;
    // Equally healthy, the token that lasts longer: a live one before one that must renew first.
    const expiresAt = s?.expiresAt ?? Number.POSITIVE_INFINITY;
    const healthier = chosen && (healthRank[health] < healthRank[chosen.health] || (healthRank[health] === healthRank[chosen.health] && expiresAt > chosen.expiresAt));
    const better = !chosen || (chosen.provider.name !== runRecord && (provider.name === runRecord || healthier));
    if (better) outbound.set(to, { provider, health, expiresAt });
  }
  for (const [to, { provider, health }] of outbound) {
    const s = statusOf.get(provider.sysId);
    const earlier = edges.get(edgeKey(selfKey, to));
    const runStillApplies = earlier && earlier.health === "unhealthy" && health === "ok" && recorded && s && s.obtainedAt <= recorded.recordedAt;
    if (runStillApplies) continue;
    const renewsOnNextUse = health === "ok" && s?.expiresAt != null && s.expiresAt <= now;
    edges.set(edgeKey(selfKey, to), { from: selfKey, to, record: provider.name, profile: provider.oauthProfile, health, reason: s?.statusReason ?? null, expiresAt: s?.expiresAt ?? null, ...(renewsOnNextUse ? { renewsOnNextUse } : {}), source: "records" });
  }

  // Inbound: an endpoint whose redirect URL is a known instance's /oauth_redirect.do is held by
  // that instance. Known: the last run named it, or this instance holds a provider record for it;
  // a pipeline's endpoints always are one or the other, on every instance of it, run recorded or
  // not. The path alone says nothing: any ServiceNow instance redirects there, and a client
  // outside the pipeline registered so stays a client, not an instance of this graph.
  // Only the run can tell peers sharing one endpoint apart, so its verdict stays; otherwise the
  // tokens this instance issued to the endpoint tell.
  const knownInstances = new Set([...nodes.keys()].filter((key) => key !== selfKey));
  for (const client of clients) {
    const peers = client.redirectUrls.filter((u) => URL.canParse(u) && new URL(u).pathname === paths.oauthRedirect).map((u) => originOf(u)!).filter((o) => knownInstances.has(o));
    if (peers.length === 0) continue;
    const tokens = (await listTokens(db, { clientSysId: client.sysId, limit: 100 })).filter((t) => t.type === "access_token");
    const live = tokens.filter((t) => tokenStatus(t, now) === "live");
    const health: EdgeHealth = !client.active ? "unhealthy" : live.length > 0 ? "ok" : tokens.some((t) => tokenStatus(t, now) === "expired") ? "expired" : "no_token";
    const expiresAt = live.length > 0 ? Math.max(...live.map((t) => t.expiresAt)) : tokens.length > 0 ? Math.max(...tokens.map((t) => t.expiresAt)) : null;
    for (const peer of peers) {
      const from = addNode(peer, undefined);
      if (edges.has(edgeKey(from, selfKey))) continue;
      edges.set(edgeKey(from, selfKey), { from, to: selfKey, record: client.name, health, reason: client.active ? null : { key: "pipeline.reason.inactive" }, expiresAt, source: "records" });
    }
  }

  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    run: recorded && { kind: recorded.report.kind, ok: recorded.report.ok, recordedAt: recorded.recordedAt, drift: driftOf(recorded.report) },
  };
}
