import { isLoopbackHost } from "../config.ts";
import { label, type PipelineFile, type PipelineInstance } from "./pipeline-file.ts";
import type { EndpointRecord, InstanceAdminClient, ProviderInput } from "./instance-admin-client.ts";

/**
 * The seed procedure as a plan. On production, "Pipeline Controller Client" with every
 * instance's /oauth_redirect.do; on each other instance X, "Pipeline X Client" with
 * production's and X's. Every endpoint gets a third-party provider record on each instance
 * that calls it, then a token, then a real call: both directions of every edge.
 */
export interface EndpointSpec {
  host: PipelineInstance;
  name: string;
  redirectUrls: string[];
  consumers: { instance: PipelineInstance; providerName: string }[];
}

export interface Direction {
  edge: string;
  from: PipelineInstance;
  to: PipelineInstance;
  providerName: string;
}

const redirectOf = (i: PipelineInstance) => `${i.url}/oauth_redirect.do`;
/** An http URL on another machine: the instances opt in where the file names one, the endpoint for its redirect URLs and the provider for its own URLs. */
const httpBeyondLoopback = (url: string) => url.startsWith("http:") && !isLoopbackHost(new URL(url).hostname);
export const grantTypes = ["authorization_code", "refresh_token", "client_credentials"];
/** A real call across an edge: who the token acts as, on the far side. */
export const probePath = "/api/now/v1/whoami";

export function endpointSpecs(pipeline: PipelineFile): EndpointSpec[] {
  const production = pipeline.production;
  return [
    {
      host: production,
      name: "Pipeline Controller Client",
      redirectUrls: [production, ...pipeline.instances].map(redirectOf),
      consumers: pipeline.instances.map((instance) => ({ instance, providerName: `Pipeline ${label(production.name)}` })),
    },
    ...pipeline.instances.map((x) => ({
      host: x,
      name: `Pipeline ${label(x.name)} Client`,
      redirectUrls: [production, x].map(redirectOf),
      consumers: [{ instance: production, providerName: `Pipeline ${label(x.name)}` }],
    })),
  ];
}

export function directions(pipeline: PipelineFile): Direction[] {
  return endpointSpecs(pipeline).flatMap((spec) =>
    spec.consumers.map((c) => {
      const other = spec.host === pipeline.production ? c.instance : spec.host;
      return { edge: `${pipeline.production.name} ⇄ ${other.name}`, from: c.instance, to: spec.host, providerName: c.providerName };
    }),
  );
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
export const tokenUrlOf = (i: PipelineInstance) => `${i.url}/oauth_token.do`;

/** What a step touched, as data: the words are chosen by the reader's language when it is printed. */
export type Subject =
  | { kind: "endpoint" | "redirects" | "secret" | "provider" | "activated"; name: string }
  | { kind: "providerTo"; name: string; target: string }
  | { kind: "tokenUser"; name: string; user: string }
  | { kind: "token"; from: string }
  | { kind: "rotatedProvider"; name: string; status: number };

export interface Step {
  instance: string;
  action: "created" | "updated" | "unchanged" | "regenerated" | "token";
  subject: Subject;
}

export type Clients = Map<string, InstanceAdminClient>;

/**
 * Makes one endpoint and the provider records on its consumers as planned; says what it changed.
 * `tokenUserSysId` is the host's `token_user` as the host knows it, when the file names one.
 */
export async function applyEndpoint(spec: EndpointSpec, clients: Clients, report: (step: Step) => void, options: { forceNewSecret?: boolean; tokenUserSysId?: string | undefined } = {}): Promise<void> {
  const host = clients.get(spec.host.name)!;
  const tokenUser = spec.host.token_user;
  let endpoint: EndpointRecord | undefined = await host.findEndpoint(spec.name);
  let secret: string | undefined;
  const allowHttp = spec.redirectUrls.some(httpBeyondLoopback);
  if (!endpoint) {
    endpoint = await host.createEndpoint({ name: spec.name, redirectUrls: spec.redirectUrls, grantTypes, ...(allowHttp ? { allowHttpRedirect: true } : {}), ...(tokenUser ? { tokenUser } : {}) });
    secret = endpoint.clientSecret;
    report({ instance: spec.host.name, action: "created", subject: { kind: "endpoint", name: spec.name } });
  } else if (!sameSet(endpoint.redirectUrls, spec.redirectUrls)) {
    await host.setEndpointRedirects(endpoint.sysId, spec.redirectUrls, allowHttp);
    report({ instance: spec.host.name, action: "updated", subject: { kind: "redirects", name: spec.name } });
  } else {
    report({ instance: spec.host.name, action: "unchanged", subject: { kind: "endpoint", name: spec.name } });
  }
  if (!endpoint.active) {
    // Deactivated by hand: its client is refused (invalid_client) whatever its secret, so a new secret alone never repairs it.
    await host.activateEndpoint(endpoint.sysId);
    report({ instance: spec.host.name, action: "updated", subject: { kind: "activated", name: spec.name } });
  }
  if (tokenUser && endpoint.clientCredentialsUser !== options.tokenUserSysId) {
    await host.setEndpointTokenUser(endpoint.sysId, tokenUser);
    // The consumers' tokens keep the user they were issued for: the calls phase sees that and fetches new ones.
    report({ instance: spec.host.name, action: "updated", subject: { kind: "tokenUser", name: spec.name, user: tokenUser } });
  }

  const existing = await Promise.all(spec.consumers.map(async (c) => ({ c, found: await clients.get(c.instance.name)!.findProvider(c.providerName) })));
  const wrong = existing.filter(({ found }) => !found || found.clientId !== endpoint.clientId || found.tokenUrl !== tokenUrlOf(spec.host));
  // A secret is shown once. Any provider record to (re)write needs it, so a new one is made,
  // and every consumer then gets it: the others hold the old one, now void.
  let redo = secret ? existing : wrong;
  if (!secret && (wrong.length > 0 || options.forceNewSecret)) {
    secret = await host.regenerateEndpointSecret(endpoint.sysId);
    report({ instance: spec.host.name, action: "regenerated", subject: { kind: "secret", name: spec.name } });
    redo = existing;
  }
  for (const { c, found } of existing) {
    if (!redo.some((r) => r.c === c)) {
      report({ instance: c.instance.name, action: "unchanged", subject: { kind: "provider", name: c.providerName } });
      continue;
    }
    const consumer = clients.get(c.instance.name)!;
    const input: ProviderInput = {
      name: c.providerName,
      client_id: endpoint.clientId,
      client_secret: secret!,
      token_url: tokenUrlOf(spec.host),
      authorization_url: `${spec.host.url}/oauth_auth.do`,
      revocation_url: `${spec.host.url}/oauth_revoke_token.do`,
      default_grant: "client_credentials",
      credential_style: "basic",
      // Only when needed: an instance older than the option refuses a field it does not know.
      ...(httpBeyondLoopback(spec.host.url) ? { allow_http: true as const } : {}),
    };
    // In place: the record keeps its sys_id and history, and never goes missing midway. A token it
    // holds stays when only the secret changes; a new client ID or server drops it, revoked there first.
    if (found) await consumer.updateProvider(found.sysId, input, found.modCount);
    else await consumer.createProvider(input);
    report({ instance: c.instance.name, action: found ? "updated" : "created", subject: { kind: "providerTo", name: c.providerName, target: spec.host.name } });
  }
}

/** Each of `instances`' `token_user` as its sys_id there, and the ones an instance lacks (or has inactive). */
export async function resolveTokenUsers(instances: PipelineInstance[], clients: Clients): Promise<{ resolved: Map<string, string>; missing: { instance: string; user: string }[] }> {
  const resolved = new Map<string, string>();
  const missing: { instance: string; user: string }[] = [];
  for (const instance of instances) {
    if (!instance.token_user) continue;
    const sysId = await clients.get(instance.name)!.findUserSysId(instance.token_user);
    if (sysId) resolved.set(instance.name, sysId);
    else missing.push({ instance: instance.name, user: instance.token_user });
  }
  return { resolved, missing };
}

/** Who a whoami probe says the token acts as ("" for no user). */
export const actsAs = (call: { body: unknown }): string => String((call.body as { result?: { user_name?: unknown } } | undefined)?.result?.user_name ?? "");
