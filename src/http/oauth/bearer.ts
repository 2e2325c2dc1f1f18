import type { FastifyRequest } from "fastify";
import type { OAuthClient } from "../../domain/oauth-entity.ts";
import type { Instance } from "../../instance.ts";
import { findClientBySysId } from "../../store/oauth-entity-store.ts";
import { findTokenByValue, tokenIsLive } from "../../store/token-store.ts";
import { findUserById, rolesOf, type User } from "../../store/user-store.ts";
import { OAuthError } from "./oauth-error.ts";

/** Who a request acts as: the token's user (or none, for a client-only token), its client and scope. */
export interface Principal {
  user: User | null;
  roles: string[];
  client: OAuthClient;
  scope: string;
}

const bearerPattern = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * RFC 6750 bearer validation, the one gate in front of every API. Tokens are accepted only
 * in the Authorization header (§2.1); one in the query string is refused, not ignored.
 */
export async function authenticateBearer(instance: Instance, request: FastifyRequest): Promise<Principal> {
  const query = request.query as Record<string, unknown> | undefined;
  if (query && "access_token" in query) throw new OAuthError("invalid_request", "send the access token in the Authorization header, not the query string");
  const header = request.headers.authorization;
  if (header === undefined) throw new OAuthError("invalid_token", "authentication required", { bare: true });
  const match = bearerPattern.exec(header);
  if (!match) throw new OAuthError("invalid_request", "the Authorization header must be \"Bearer <token>\"");

  const invalid = () => new OAuthError("invalid_token", "the access token is invalid, expired or revoked");
  const stored = await findTokenByValue(instance.store.db, match[1]!);
  if (!stored || stored.type !== "access_token" || !tokenIsLive(stored)) throw invalid();
  const client = await findClientBySysId(instance.store.db, stored.client);
  if (!client?.active) throw invalid();
  const user = stored.user === null ? null : await findUserById(instance.store.db, stored.user);
  if (stored.user !== null && !user?.active) throw invalid();
  // Roles are read now, so a role taken away applies to tokens already issued.
  const roles = user ? await rolesOf(instance.store.db, user.sysId) : [];
  return { user: user ?? null, roles, client, scope: stored.scope };
}
