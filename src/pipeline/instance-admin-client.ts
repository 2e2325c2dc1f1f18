import type { Dispatcher } from "undici";
import { BodyTooLargeError, readBoundedBody } from "../bounded-body.ts";
import type { PipelineRunReport } from "../domain/pipeline-run-report.ts";
import { inEnglish, isStoredText, type StoredText, verbatim } from "../i18n/stored-text.ts";
import { errorSummary } from "./error-summary.ts";

/**
 * What `pipeline up` needs to do on a remote instance, as an admin. Everything the pipeline
 * does remotely goes through this interface: switching from Portcullis's own admin API to the
 * Table API (`/api/now/table/oauth_entity`) means another implementation of it, in one file.
 */
export interface EndpointRecord {
  sysId: string;
  name: string;
  clientId: string;
  redirectUrls: string[];
  grantTypes: string[];
  /** The sys_id of the user its client_credentials tokens act as; "" for none. */
  clientCredentialsUser: string;
  /** An inactive endpoint's client is refused at the token endpoint (invalid_client) and its tokens were revoked. */
  active: boolean;
  /** Present only when just created or regenerated. */
  clientSecret?: string;
}

export interface ProviderRecordSummary {
  sysId: string;
  name: string;
  clientId: string;
  tokenUrl: string;
  /** The record's version (sys_mod_count), when the instance reports one. */
  modCount?: number;
}

export interface ConnectionSummary {
  sysId: string;
  name: string;
  status: string;
  /** Why it is unhealthy, as the instance's catalog text (its English from an instance too old to send the text). */
  statusReason: StoredText;
  expiresAt: string;
  /** Renews itself when next used; undefined from an instance too old to say. */
  renewable?: boolean;
}

export interface ProviderInput {
  name: string;
  client_id: string;
  client_secret: string;
  token_url: string;
  authorization_url: string;
  revocation_url: string;
  default_grant: "client_credentials";
  credential_style: "basic";
  /** Sent only for a host reached over http on another machine, which the provider must allow. */
  allow_http?: true;
}

export interface InstanceAdminClient {
  /** Signs in as the admin and reads nothing that matters: proves the instance is reachable, trusted and takes the credentials. */
  checkAccess(): Promise<void>;
  findEndpoint(name: string): Promise<EndpointRecord | undefined>;
  listEndpoints(): Promise<EndpointRecord[]>;
  createEndpoint(input: { name: string; redirectUrls: string[]; grantTypes: string[]; allowHttpRedirect?: boolean; tokenUser?: string }): Promise<EndpointRecord>;
  /** `allowHttpRedirect` when a URL is http beyond loopback, which the endpoint refuses unless it allows them. */
  setEndpointRedirects(sysId: string, redirectUrls: string[], allowHttpRedirect: boolean): Promise<void>;
  setEndpointTokenUser(sysId: string, userName: string): Promise<void>;
  activateEndpoint(sysId: string): Promise<void>;
  /** An active user's sys_id by user name; undefined when the instance has no such user, or it is inactive. */
  findUserSysId(userName: string): Promise<string | undefined>;
  regenerateEndpointSecret(sysId: string): Promise<string>;
  findProvider(name: string): Promise<ProviderRecordSummary | undefined>;
  listProviders(): Promise<ProviderRecordSummary[]>;
  createProvider(input: ProviderInput): Promise<ProviderRecordSummary>;
  /** Rewrites a provider record in place, only if it is still at `version` when one is given. */
  updateProvider(sysId: string, input: ProviderInput, version?: number): Promise<ProviderRecordSummary>;
  setProviderSecret(sysId: string, clientSecret: string): Promise<void>;
  connections(): Promise<ConnectionSummary[]>;
  getToken(providerSysId: string): Promise<void>;
  /** A call through the instance's connection; the status the far side answered (0 when none did, with the instance's error code). */
  call(providerSysId: string, method: string, path: string, options?: { probe?: boolean }): Promise<{ status: number; body: unknown; code?: string }>;
  /** Leaves a run's report for the instance's Pipeline page. */
  recordRun(report: PipelineRunReport): Promise<void>;
}

/** The instance's reason as a text this version can word; anything else (an older or newer instance) as its English. */
function remoteReason(connection: { status_reason?: unknown; status_reason_text?: unknown }): StoredText {
  if (isStoredText(connection.status_reason_text)) return connection.status_reason_text;
  return verbatim(typeof connection.status_reason === "string" ? connection.status_reason : "");
}

interface RemoteAdminFailure {
  /** The instance asked, so a run can name it. */
  baseUrl: string;
  /**
   * Why the instance could not be asked (`unreachable`, `certificate`: no HTTP status), or the
   * error code its API answered with (its `error.detail`: `invalid_client`, `unreachable` when
   * it could not reach the provider in turn…).
   */
  code?: string;
  /** The network or TLS cause, in the runtime's words, when the instance was never answered. */
  reason?: string;
  /** The instance's own reason as a catalog text (its answer's `message_text`: a provider's failure), when it sent one. */
  reasonText?: StoredText;
}

/** Lists of every endpoint or provider of an instance fit many times over; an answer past it is not an instance's. */
const adminAnswerLimit = 16 * 1024 * 1024;

/**
 * An admin request that failed. `text` is the failure in the catalog's words, for a reader in
 * any language and for a run's stored edge details; the message is that text in English.
 */
export class RemoteAdminError extends Error {
  readonly baseUrl: string;
  readonly code: string;
  readonly reason: string | undefined;
  readonly reasonText: StoredText | undefined;
  constructor(
    readonly text: StoredText,
    readonly status: number,
    failure: RemoteAdminFailure,
  ) {
    super(inEnglish(text));
    this.baseUrl = failure.baseUrl;
    this.code = failure.code ?? "";
    this.reason = failure.reason;
    this.reasonText = failure.reasonText;
  }
}

/** The instance's error message: as a catalog text when it sent one (a provider's failure), so it reads in this run's language. */
const remoteMessage = (parsed: any): string | StoredText => (isStoredText(parsed?.error?.message_text) ? parsed.error.message_text : errorSummary(parsed));

/** OpenSSL's verification codes and Node's host-name check: the instance answered, but with a certificate this process does not trust. */
const certificateFailure = (code: string | undefined) => !!code && /CERT|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);

interface Credentials {
  user: string;
  password: string;
}

/** The implementation over Portcullis's admin JSON API, with HTTP Basic as the admin. */
export function portcullisAdminClient(baseUrl: string, credentials: Credentials, dispatcher?: Dispatcher): InstanceAdminClient {
  const authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString("base64")}`;
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { ...headers, authorization, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
        ...(dispatcher ? { dispatcher } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as Error & { cause?: Error & { code?: string } }).cause ?? (error as Error & { code?: string });
      throw new RemoteAdminError({ key: "trust.detail.remote.unreachable", values: { url: baseUrl, reason: cause.message } }, 0, { baseUrl, code: certificateFailure(cause.code) ? "certificate" : "unreachable", reason: cause.message });
    }
    if (response.status === 204) return undefined;
    let text: string;
    try {
      text = await readBoundedBody(response, adminAnswerLimit);
    } catch (error) {
      // An instance that stalls mid-answer or sends more than any admin answer holds: named as the instance's failure.
      const reason = error instanceof Error ? error.message : String(error);
      throw new RemoteAdminError({ key: "trust.detail.remote.unread", values: { method, url: `${baseUrl}${path}`, reason } }, error instanceof BodyTooLargeError ? response.status : 0, { baseUrl, code: "unreachable", reason });
    }
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RemoteAdminError({ key: "trust.detail.remote.notJson", values: { method, url: `${baseUrl}${path}`, status: response.status } }, response.status, { baseUrl });
    }
    if (!response.ok) {
      const message = remoteMessage(parsed);
      const failure = { baseUrl, code: typeof parsed?.error?.detail === "string" ? parsed.error.detail : "", ...(typeof message === "object" ? { reasonText: message } : {}) };
      throw new RemoteAdminError({ key: "trust.detail.remote.status", values: { method, url: `${baseUrl}${path}`, status: response.status, message } }, response.status, failure);
    }
    return parsed.result;
  }
  const endpoint = (r: any): EndpointRecord => ({
    sysId: r.sys_id,
    name: r.name,
    clientId: r.client_id,
    redirectUrls: String(r.redirect_url).split(",").map((u: string) => u.trim()).filter(Boolean),
    grantTypes: String(r.grant_types).split(",").filter(Boolean),
    clientCredentialsUser: typeof r.client_credentials_user === "string" ? r.client_credentials_user : "",
    active: r.active !== false,
    ...(r.client_secret ? { clientSecret: r.client_secret } : {}),
  });
  const provider = (r: any): ProviderRecordSummary => ({ sysId: r.sys_id, name: r.name, clientId: r.client_id, tokenUrl: r.token_url, ...(Number.isInteger(r.sys_mod_count) ? { modCount: r.sys_mod_count } : {}) });
  const q = encodeURIComponent;
  return {
    async checkAccess() {
      await request("GET", "/api/portcullis/connections");
    },
    async findEndpoint(name) {
      const list: any[] = await request("GET", `/api/portcullis/registry/endpoints?name=${q(name)}`);
      return list[0] && endpoint(list[0]);
    },
    async listEndpoints() {
      return ((await request("GET", "/api/portcullis/registry/endpoints")) as any[]).map(endpoint);
    },
    async createEndpoint(input) {
      const body = { name: input.name, redirect_url: input.redirectUrls.join(", "), grant_types: input.grantTypes.join(","), ...(input.allowHttpRedirect ? { allow_http_redirect: true } : {}), ...(input.tokenUser ? { client_credentials_user: input.tokenUser } : {}) };
      return endpoint(await request("POST", "/api/portcullis/registry/endpoints", body));
    },
    async setEndpointRedirects(sysId, redirectUrls, allowHttpRedirect) {
      await request("PATCH", `/api/portcullis/registry/endpoints/${q(sysId)}`, { redirect_url: redirectUrls.join(", "), ...(allowHttpRedirect ? { allow_http_redirect: true } : {}) });
    },
    async setEndpointTokenUser(sysId, userName) {
      await request("PATCH", `/api/portcullis/registry/endpoints/${q(sysId)}`, { client_credentials_user: userName });
    },
    async activateEndpoint(sysId) {
      await request("PATCH", `/api/portcullis/registry/endpoints/${q(sysId)}`, { active: true });
    },
    async findUserSysId(userName) {
      const users: { sys_id: string }[] = await request("GET", `/api/now/table/sys_user?sysparm_query=${q(`user_name=${userName}^active=true`)}&sysparm_fields=sys_id&sysparm_limit=1`);
      return users[0]?.sys_id;
    },
    async regenerateEndpointSecret(sysId) {
      return endpoint(await request("POST", `/api/portcullis/registry/endpoints/${q(sysId)}/regenerate_secret`)).clientSecret!;
    },
    async findProvider(name) {
      const list: any[] = await request("GET", `/api/portcullis/registry/providers?name=${q(name)}`);
      return list[0] && provider(list[0]);
    },
    async listProviders() {
      return ((await request("GET", "/api/portcullis/registry/providers")) as any[]).map(provider);
    },
    async createProvider(input) {
      return provider(await request("POST", "/api/portcullis/registry/providers", input));
    },
    async updateProvider(sysId, input, version) {
      return provider(await request("PATCH", `/api/portcullis/registry/providers/${q(sysId)}`, input, version === undefined ? {} : { "if-match": `"${version}"` }));
    },
    async setProviderSecret(sysId, clientSecret) {
      await request("PATCH", `/api/portcullis/registry/providers/${q(sysId)}`, { client_secret: clientSecret });
    },
    async connections() {
      const list: any[] = await request("GET", "/api/portcullis/connections");
      return list.map((c) => ({ sysId: c.sys_id, name: c.name, status: c.status, statusReason: remoteReason(c), expiresAt: c.expires_at, ...(typeof c.renewable === "boolean" ? { renewable: c.renewable } : {}) }));
    },
    async getToken(providerSysId) {
      await request("POST", `/api/portcullis/connections/${q(providerSysId)}/token`, { grant_type: "client_credentials" });
    },
    async call(providerSysId, method, path, options = {}) {
      try {
        const result = await request("POST", `/api/portcullis/connections/${q(providerSysId)}/call`, { method, path, ...(options.probe ? { probe: true } : {}) });
        return { status: result.status, body: result.body };
      } catch (error) {
        // The instance's reason alone: "POST …/connections/…/call: 502" before it names a request the reader never made.
        if (error instanceof RemoteAdminError && (error.status === 502 || error.status === 409)) return { status: 0, body: error.reasonText ?? error.text, code: error.code };
        throw error;
      }
    },
    async recordRun(report) {
      await request("POST", "/api/portcullis/pipeline/runs", report);
    },
  };
}
