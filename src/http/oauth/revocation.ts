import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { clientActor } from "../../store/audit-store.ts";
import { findTokenByValue, revokeFamily, revokeOne } from "../../store/token-store.ts";
import { requireForm, singleValued } from "../form-body.ts";
import { authenticateClient } from "./client-auth.ts";
import { OAuthError } from "./oauth-error.ts";
import { rejectRepeatedParameters, setNoStore } from "./token.ts";

/**
 * POST /oauth_revoke_token.do — RFC 7009. Unknown and already revoked tokens answer 200.
 * A live token of another client is refused (RFC 7009 §2.1: "the request is refused and the
 * client is informed of the error") when the caller proved a secret; a public client, which
 * anyone can act as, gets the same 200 as for an unknown token so it cannot probe for tokens
 * (node-oidc-provider's default policy draws the same line).
 */
export async function revocationEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  setNoStore(reply);
  const form = requireForm(request);
  // As at introspection (RFC 7662 §2.1): the caller is authenticated before the rest of the request is judged.
  const authenticated = await authenticateClient(instance, request, form);
  rejectRepeatedParameters(form);
  const { client } = authenticated;
  const params = singleValued(form, ["token", "token_type_hint"] as const);
  if (params.token === undefined) throw new OAuthError("invalid_request", "the token parameter is required");
  const token = params.token;
  await instance.store.db.transaction().execute(async (trx) => {
    const stored = await findTokenByValue(trx, token);
    if (!stored || stored.revoked_at !== null) return;
    if (stored.client !== client.sysId) {
      if (authenticated.method === "none") return;
      throw new OAuthError("invalid_request", "the client is not authorized to revoke the presented token");
    }
    const actor = clientActor(client.clientId);
    // Revoking a refresh token ends the grant, its access tokens included (RFC 7009 §2.1).
    if (stored.type === "refresh_token") await revokeFamily(trx, stored.family, actor, { key: "auditReason.revokedByClient" });
    else await revokeOne(trx, stored.sys_id, actor, { key: "auditReason.revokedByClient" });
  });
  reply.send();
}
