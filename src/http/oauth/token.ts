import type { FastifyReply, FastifyRequest } from "fastify";
import type { GrantType } from "../../domain/oauth-entity.ts";
import type { Instance } from "../../instance.ts";
import type { IssuedTokens } from "../../store/token-store.ts";
import { type FormParams, requireForm, singleValued } from "../form-body.ts";
import { type AuthenticatedClient, authenticateClient } from "./client-auth.ts";
import { authorizationCodeGrant } from "./grants/authorization-code.ts";
import { clientCredentialsGrant } from "./grants/client-credentials.ts";
import type { GrantHandler } from "./grants/grant.ts";
import { passwordGrant } from "./grants/password.ts";
import { refreshTokenGrant } from "./grants/refresh-token.ts";
import { clipped, OAuthError } from "./oauth-error.ts";
import { type LimitKind, pendingLimits } from "../rate-limit.ts";
import { issuesWithinLimits } from "../../store/group-commit.ts";

const grants: Record<GrantType, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  password: passwordGrant,
  client_credentials: clientCredentialsGrant,
};

export function setNoStore(reply: FastifyReply): void {
  reply.header("cache-control", "no-store").header("pragma", "no-cache");
}

/** The parameters these endpoints understand; others are ignored, even repeated (RFC 6749 §3.1, RFC 8707). */
const knownParameters = new Set(["grant_type", "client_id", "client_secret", "code", "redirect_uri", "code_verifier", "refresh_token", "username", "password", "scope", "token", "token_type_hint"]);

/** Every known parameter may appear once (RFC 6749 §3.2). */
export function rejectRepeatedParameters(form: FormParams): void {
  const seen = new Set<string>();
  for (const name of form.keys()) {
    if (!knownParameters.has(name)) continue;
    if (seen.has(name)) throw new OAuthError("invalid_request", `the parameter ${name} was sent more than once`);
    seen.add(name);
  }
}

function grantTypeOf(form: FormParams): GrantType {
  const { grant_type: grantType } = singleValued(form, ["grant_type"] as const);
  if (grantType === undefined) throw new OAuthError("invalid_request", "the grant_type parameter is required");
  if (!Object.hasOwn(grants, grantType)) throw new OAuthError("unsupported_grant_type", `the grant type "${clipped(grantType)}" is not supported`);
  return grantType as GrantType;
}

/** The platform answers expires_in one second short of the lifespan, so a client refreshes a little early. */
function tokenResponse(tokens: IssuedTokens) {
  return {
    access_token: tokens.accessToken,
    ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
    scope: tokens.scope,
    token_type: "Bearer",
    expires_in: Math.max(tokens.expiresIn - 1, 1),
  };
}

/** What a token request is before its grant runs: well formed, and from a client that proved who it is. */
interface CheckedRequest {
  form: FormParams;
  grantType: GrantType;
  client: AuthenticatedClient;
}

async function checkRequest(instance: Instance, request: FastifyRequest): Promise<CheckedRequest> {
  const form = requireForm(request);
  rejectRepeatedParameters(form);
  const grantType = grantTypeOf(form);
  return { form, grantType, client: await authenticateClient(instance, request, form) };
}

/** POST /oauth_token.do — RFC 6749 §3.2, read as its checklist. */
export async function tokenEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  setNoStore(reply);
  const checked = await checkRequest(instance, request).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  // Every request counts against its address, and a client that proved who it is against the
  // client too (never another client's allowance; a public client proves nothing, so its
  // allowance is per address), in one write. Past either limit the answer is 429 whatever the
  // request held, so a guesser over the limit learns nothing about the secret it tried.
  const hits: [LimitKind, string][] = [["token-ip", request.ip]];
  if (checked.ok) {
    const { client, method } = checked.value.client;
    hits.push(["token-client", method === "none" ? `${client.clientId}:${request.ip}` : client.clientId]);
  }
  const limits = pendingLimits(instance, hits);
  // client_credentials on SQLite counts the hits in the write of its tokens (one commit to wait
  // for, not two); every other request counts them first.
  const countedByGrant = checked.ok && checked.value.grantType === "client_credentials" && issuesWithinLimits(instance.store);
  if (!countedByGrant) await limits.enforce();
  try {
    if (!checked.ok) throw checked.error;
    const { form, grantType, client: { client } } = checked.value;
    if (!client.grantTypes.includes(grantType)) throw new OAuthError("unauthorized_client", `this client is not allowed the ${grantType} grant`);
    const tokens = await grants[grantType]({ instance, client, form, ip: request.ip, ...(countedByGrant ? { limits } : {}) });
    reply.send(tokenResponse(tokens));
  } catch (error) {
    // A request refused before its grant wrote anything still counts, and past a limit its answer is the 429.
    if (!limits.counted) await limits.enforce();
    throw error;
  }
}
