import { checkedPasswordHolds } from "../../../store/checked-password.ts";
import { issueTokens } from "../../../store/token-store.ts";
import { singleValued } from "../../form-body.ts";
import { checkPasswordLogin, invalidLogin } from "../../identity/password-login.ts";
import { OAuthError } from "../oauth-error.ts";
import { resolveScope } from "../scope.ts";
import { actorOf, type GrantHandler, inGrantTransaction } from "./grant.ts";

/** RFC 6749 §4.3, kept because the platform's own clients (PySNC, pysnow) use it; opt-in per client. */
export const passwordGrant: GrantHandler = async ({ instance, client, form, ip }) => {
  // A public client given this grant before the rule against it (src/domain/oauth-entity.ts) keeps the record, not the grant.
  if (client.publicClient) throw new OAuthError("unauthorized_client", "a public client cannot use the password grant; use authorization_code with PKCE");
  const params = singleValued(form, ["username", "password", "scope"] as const);
  if (params.username === undefined || params.password === undefined) throw new OAuthError("invalid_request", "the username and password parameters are required");
  const scope = resolveScope(params.scope);
  const login = await checkPasswordLogin(instance, params.username, params.password, ip);
  if (!login.ok) throw new OAuthError("invalid_grant", login.message);
  const { user } = login;
  return inGrantTransaction(instance, async (trx, now) => {
    if (!(await checkedPasswordHolds(trx, user))) throw new OAuthError("invalid_grant", invalidLogin.message);
    return issueTokens(trx, { client, userSysId: user.sysId, scope, grantType: "password", withRefreshToken: client.grantTypes.includes("refresh_token") }, actorOf(client, user.userName), now);
  });
};
