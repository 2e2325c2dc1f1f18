import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { introspectToken } from "../../store/introspection-store.ts";
import { tokenIsLive } from "../../store/token-store.ts";
import { requireForm, singleValued } from "../form-body.ts";
import { authenticateClient } from "./client-auth.ts";
import { OAuthError } from "./oauth-error.ts";
import { rejectRepeatedParameters, setNoStore } from "./token.ts";

/**
 * POST /oauth_introspect — RFC 7662. A confidential client may introspect the tokens issued
 * to it; anything else is `{"active": false}`, which says nothing about other clients' tokens.
 */
export async function introspectionEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  setNoStore(reply);
  const form = requireForm(request);
  // RFC 7662 §2.1: the caller is authenticated before anything else about the request is judged.
  const { client, method } = await authenticateClient(instance, request, form);
  if (method === "none") {
    // RFC 6749 §5.2: a client that tried the Authorization header (a public one, as requests-oauthlib names it) is challenged.
    throw new OAuthError("invalid_client", "introspection requires an authenticated confidential client", { basicChallenge: request.headers.authorization !== undefined });
  }
  rejectRepeatedParameters(form);
  const params = singleValued(form, ["token", "token_type_hint"] as const);
  if (params.token === undefined) throw new OAuthError("invalid_request", "the token parameter is required");

  const found = await introspectToken(instance.store.db, params.token);
  if (!found || found.token.client !== client.sysId || !tokenIsLive(found.token) || !client.active) {
    reply.send({ active: false });
    return;
  }
  const { token: stored, user } = found;
  if (stored.user !== null && !user?.active) {
    reply.send({ active: false });
    return;
  }
  reply.send({
    active: true,
    scope: stored.scope,
    client_id: client.clientId,
    ...(user ? { username: user.userName, sub: user.sysId } : { sub: client.clientId }),
    // RFC 7662 §2.2's token_type is an access token's type (RFC 6749 §7.1); a refresh token has none, as in oidc-provider.
    ...(stored.type === "access_token" ? { token_type: "Bearer" } : {}),
    exp: Math.floor(stored.expires_at / 1000),
    iat: Math.floor(Date.parse(`${stored.sys_created_on}Z`) / 1000),
    iss: instance.config.publicUrl,
  });
}
