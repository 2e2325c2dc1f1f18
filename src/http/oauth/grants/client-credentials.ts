import { issueTokensGrouped, issueTokensWithinLimits } from "../../../store/group-commit.ts";
import { findUserById } from "../../../store/user-store.ts";
import { singleValued } from "../../form-body.ts";
import { OAuthError } from "../oauth-error.ts";
import { resolveScope } from "../scope.ts";
import { actorOf, type GrantHandler } from "./grant.ts";

/** RFC 6749 §4.4: confidential clients only; the token acts as the user the client record names, or the client alone. */
export const clientCredentialsGrant: GrantHandler = async ({ instance, client, form, limits }) => {
  if (client.publicClient) throw new OAuthError("unauthorized_client", "a public client cannot use client_credentials");
  const scope = resolveScope(singleValued(form, ["scope"] as const).scope);
  const user = client.clientCredentialsUser === null ? null : await findUserById(instance.store.db, client.clientCredentialsUser);
  if (client.clientCredentialsUser !== null && !user?.active) throw new OAuthError("invalid_grant", "the user this client acts as is inactive");
  // Nothing to read and write atomically here, so the issue can share a commit with concurrent ones.
  const grant = { client, userSysId: user?.sysId ?? null, scope, grantType: "client_credentials", withRefreshToken: false };
  if (!limits) return issueTokensGrouped(instance.store, grant, actorOf(client, user?.userName));
  // The request's rate-limit hits are counted in the same write, and no token is written past a limit.
  const issued = await issueTokensWithinLimits(instance.store, limits.hits, grant, actorOf(client, user?.userName));
  const refusal = limits.countedBy(issued !== null);
  if (refusal || !issued) throw refusal;
  return issued;
};
