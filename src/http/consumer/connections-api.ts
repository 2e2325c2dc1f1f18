import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { obtainToken } from "../../consumer/connection-token.ts";
import { callMethods, callProvider } from "../../consumer/outbound-call.ts";
import { consumerGrantNames } from "../../domain/oauth-provider.ts";
import { issue, ValidationError } from "../../domain/validation.ts";
import { inEnglish } from "../../i18n/stored-text.ts";
import type { Instance } from "../../instance.ts";
import { connectionHealth, connectionStatus, connectionStatuses } from "../../store/obtained-token-store.ts";
import { listProviders } from "../../store/provider-store.ts";
import { paths } from "../paths.ts";
import { apiStep, jsonObjectBody, providerFromParams, requireAdmin } from "./admin-request.ts";

const callSchema = z.object({ method: z.enum(callMethods), path: z.string().min(1).max(4000), body: z.unknown().optional(), probe: z.boolean().optional() }).strict();
const tokenSchema = z
  .object({ grant_type: z.enum(consumerGrantNames, { error: "validation.directGrant" }).optional(), username: z.string().min(1).optional(), password: z.string().min(1).optional() })
  .strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

const isoOrEmpty = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

/** GET /api/portcullis/connections — every provider and the health of its token. */
export async function listConnections(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  const statuses = new Map((await connectionStatuses(instance.store.db)).map((s) => [s.provider, s]));
  const result = (await listProviders(instance.store.db)).map((p) => {
    const s = statuses.get(p.sysId);
    return { sys_id: p.sysId, name: p.name, token_url: p.tokenUrl, status: connectionHealth(s), status_reason: s?.statusReason ? inEnglish(s.statusReason) : "", status_reason_text: s?.statusReason ?? null, failed_at: isoOrEmpty(s?.failedAt ?? null), expires_at: isoOrEmpty(s?.expiresAt ?? null), renewable: s?.renewable ?? false, grant_type: s?.grantType ?? "" };
  });
  reply.header("cache-control", "no-store").send({ result });
}

/** POST /api/portcullis/connections/{id}/token — client_credentials or password, no browser. */
export async function getConnectionToken(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const input = parse(tokenSchema, jsonObjectBody(request));
    const provider = await providerFromParams(instance, request);
    const grant = input.grant_type ?? provider.defaultGrant;
    // Asked for or the record's default, the authorization code comes through the admin's browser: say where, at this instance's own address.
    if (grant === "authorization_code") throw new ValidationError([issue("grant_type", "validation.grantNeedsBrowser", { grant, url: `${instance.config.publicUrl}${paths.connections}/${provider.sysId}/authorize` })]);
    if (grant === "password" && (!input.username || !input.password)) throw new ValidationError([issue("username", "validation.passwordGrantLogin")]);
    await obtainToken(instance, provider, grant, grant === "password" ? { username: input.username!, password: input.password! } : undefined);
    const status = await connectionStatus(instance.store.db, provider.sysId);
    reply.header("cache-control", "no-store").send({ result: { name: provider.name, grant_type: grant, status: status?.status, expires_at: isoOrEmpty(status?.expiresAt ?? null) } });
  });
}

/** POST /api/portcullis/connections/{id}/call — the provider's API, with the stored token. */
export async function callConnection(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const input = parse(callSchema, jsonObjectBody(request));
    const provider = await providerFromParams(instance, request);
    const response = await callProvider(instance, provider, { method: input.method, path: input.path, body: input.body }, { probe: input.probe === true });
    reply.header("cache-control", "no-store").send({ result: { status: response.status, content_type: response.contentType, body: response.body } });
  });
}
