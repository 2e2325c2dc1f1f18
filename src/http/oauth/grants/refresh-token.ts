import { findTokenByValue, issueTokens, markRefreshTokenRotated, revokeFamily } from "../../../store/token-store.ts";
import { findUserById } from "../../../store/user-store.ts";
import { singleValued } from "../../form-body.ts";
import { OAuthError } from "../oauth-error.ts";
import { resolveScope } from "../scope.ts";
import { actorOf, type GrantHandler, inGrantTransaction } from "./grant.ts";

const invalidToken = () => new OAuthError("invalid_grant", "the refresh token is invalid, expired or revoked");

/**
 * RFC 6749 §6 with rotation: every use returns a new refresh token, expiring when the one it
 * replaces would have, and presenting one that was already used revokes the whole family
 * (RFC 9700 §4.14.2).
 */
export const refreshTokenGrant: GrantHandler = async ({ instance, client, form }) => {
  const params = singleValued(form, ["refresh_token", "scope"] as const);
  if (params.refresh_token === undefined) throw new OAuthError("invalid_request", "the refresh_token parameter is required");
  const presented = params.refresh_token;

  return inGrantTransaction(instance, async (trx, now) => {
    const stored = await findTokenByValue(trx, presented);
    if (!stored || stored.type !== "refresh_token" || stored.client !== client.sysId) return invalidToken();
    const reuse = async () => {
      await revokeFamily(trx, stored.family, actorOf(client), { key: "auditReason.refreshReused" }, now);
      return new OAuthError("invalid_grant", "the refresh token was already used; every token of this grant is now revoked");
    };
    if (stored.revoked_at !== null || stored.expires_at <= now) return invalidToken();
    if (stored.rotated_at !== null) return reuse();
    // The scope may narrow, never widen (RFC 6749 §6).
    const scope = resolveScope(params.scope, stored.scope.split(" "));
    if (!(await markRefreshTokenRotated(trx, stored.sys_id, now))) return reuse();

    const user = stored.user === null ? null : await findUserById(trx, stored.user);
    if (stored.user !== null && !user?.active) return invalidToken();
    return issueTokens(
      trx,
      // The new refresh token keeps the scope it was granted (RFC 6749 §6); only the access token narrows.
      { client, userSysId: stored.user, scope, refreshScope: stored.scope, grantType: "refresh_token", family: stored.family, code: stored.code, withRefreshToken: true, refreshExpiresAt: stored.expires_at },
      actorOf(client, user?.userName),
      now,
    );
  });
};
