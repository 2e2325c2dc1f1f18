import { consumeAuthCode, findAuthCode } from "../../../store/auth-code-store.ts";
import { issueTokens, revokeFamily } from "../../../store/token-store.ts";
import { findUserById } from "../../../store/user-store.ts";
import { singleValued } from "../../form-body.ts";
import { soleRedirectUri } from "../check-redirect-uri.ts";
import { OAuthError } from "../oauth-error.ts";
import { verifyCodeVerifier } from "../pkce.ts";
import { actorOf, type GrantHandler, inGrantTransaction } from "./grant.ts";

const invalidCode = () => new OAuthError("invalid_grant", "the authorization code is invalid, expired or already used");

/** RFC 6749 §4.1.3 with RFC 7636 §4.6: one redemption per code, bound to client, redirect URI and verifier. */
export const authorizationCodeGrant: GrantHandler = async ({ instance, client, form }) => {
  const params = singleValued(form, ["code", "redirect_uri", "code_verifier"] as const);
  if (params.code === undefined) throw new OAuthError("invalid_request", "the code parameter is required");
  // RFC 6749 §4.1.3: required when the authorization request carried one, which it must unless the client has only one.
  const redirectUri = params.redirect_uri ?? soleRedirectUri(client);
  if (redirectUri === undefined) throw new OAuthError("invalid_request", "the redirect_uri parameter is required");
  const { code, code_verifier: verifier } = params;

  return inGrantTransaction(instance, async (trx, now) => {
    const stored = await findAuthCode(trx, code);
    if (!stored || stored.client !== client.sysId) throw invalidCode();
    const replay = async () => {
      // A second redemption means the code leaked: revoke what the first one produced (RFC 6749 §4.1.2).
      await revokeFamily(trx, stored.family, actorOf(client), { key: "auditReason.codeReplayed" }, now);
      return invalidCode();
    };
    // Binding first: only someone who could have redeemed the code may trigger the replay revocation.
    if (stored.redirect_uri !== redirectUri) throw new OAuthError("invalid_grant", "redirect_uri does not match the one the code was issued for");
    verifyCodeVerifier(stored.code_challenge, verifier);
    if (stored.consumed_at !== null) return replay();
    if (stored.expires_at <= now) throw invalidCode();
    if (!(await consumeAuthCode(trx, stored.sys_id, now))) {
      // Another exchange consumed it meanwhile (a replay), or a password change or deactivation
      // deleted it meanwhile (src/store/user-access.ts), which is no leak: nothing to revoke.
      if (!(await findAuthCode(trx, code))) throw invalidCode();
      return replay();
    }

    const user = await findUserById(trx, stored.user);
    if (!user?.active) throw new OAuthError("invalid_grant", "the user who granted this code is no longer active");
    return issueTokens(
      trx,
      { client, userSysId: user.sysId, scope: stored.scope, grantType: "authorization_code", family: stored.family, code: stored.sys_id, withRefreshToken: client.grantTypes.includes("refresh_token") },
      actorOf(client, user.userName),
      now,
    );
  });
};
