import type { FastifyRequest } from "fastify";
import type { OAuthClient } from "../../domain/oauth-entity.ts";
import type { Instance } from "../../instance.ts";
import { findBearerGrant } from "../../store/bearer-store.ts";
import { tokenIsLive } from "../../store/token-store.ts";
import type { Actor } from "../../store/user-store.ts";
import { OAuthError } from "./oauth-error.ts";

/** Who a request acts as: the token's user (or none, for a client-only token), its client and scope. */
export interface Principal {
  user: Actor | null;
  roles: string[];
  client: Pick<OAuthClient, "sysId" | "clientId" | "name" | "active">;
  scope: string;
}

const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const bearerScheme = /^bearer(\s|$)/i;

/** Requests whose bearer token was accepted: a 403 they get is the token's too short reach (RFC 6750 §3.1 insufficient_scope). */
const acceptedTokenRequests = new WeakSet<FastifyRequest>();

/** Whether this request was let in by a bearer token (not HTTP Basic, a session, or nothing). */
export function acceptedBearerToken(request: FastifyRequest): boolean {
  return acceptedTokenRequests.has(request);
}

/** RFC 6750 §3.1: a request without credentials is challenged with no error code. */
function noCredentials(): OAuthError {
  return new OAuthError("invalid_token", "authentication required", { bare: true });
}

/**
 * RFC 6750 bearer validation, the one gate in front of every API. Tokens are accepted only
 * in the Authorization header (§2.1); one in the query string is refused, not ignored.
 */
export async function authenticateBearer(instance: Instance, request: FastifyRequest): Promise<Principal> {
  const query = request.query as Record<string, unknown> | undefined;
  if (query && "access_token" in query) throw new OAuthError("invalid_request", "send the access token in the Authorization header, not the query string", { bearerChallenge: true });
  const header = request.headers.authorization;
  if (header === undefined) throw noCredentials();
  const match = bearerPattern.exec(header);
  if (!match) {
    // RFC 6750 §3.1: another scheme (Digest, Negotiate; Basic is read before this) holds no credentials this API understands, so it
    // is answered as a request without any; only a Bearer header that is malformed is the client's invalid_request.
    if (!bearerScheme.test(header)) throw noCredentials();
    throw new OAuthError("invalid_request", "the Authorization header must be \"Bearer <token>\"", { bearerChallenge: true });
  }

  const invalid = () => new OAuthError("invalid_token", "the access token is invalid, expired or revoked");
  // Client, user and roles are read now, so a deactivation or a role taken away applies to tokens already issued.
  const grant = await findBearerGrant(instance.store.db, match[1]!);
  if (!grant || grant.token.type !== "access_token" || !tokenIsLive(grant.token)) throw invalid();
  if (!grant.client.active) throw invalid();
  if (grant.token.user !== null && !grant.user?.active) throw invalid();
  acceptedTokenRequests.add(request);
  return { user: grant.user, roles: grant.roles, client: grant.client, scope: grant.token.scope };
}
