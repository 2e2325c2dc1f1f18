import type { FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { rolesOf, type User } from "../../store/user-store.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { enforceLimit, refuseIfOverLimit } from "../rate-limit.ts";
import { verifyPasswordLogin } from "./password-login.ts";

/**
 * HTTP Basic for users on the REST APIs (RFC 7617), as the platform allows. The password
 * check is the login form's (verifyPasswordLogin), so wrong passwords count towards the
 * same lockout, and each failure counts as a login attempt from its address (successes do
 * not: scripts using Basic send the password with every call).
 */
export function hasBasicCredentials(request: FastifyRequest): boolean {
  return /^basic(\s|$)/i.test(request.headers.authorization ?? "");
}

export async function authenticateBasicUser(instance: Instance, request: FastifyRequest): Promise<{ user: User; roles: string[] }> {
  if (!instance.config.apiBasicAuth) throw new OAuthError("invalid_token", "HTTP Basic is switched off on this instance; use a bearer token", { bare: true });
  const decoded = Buffer.from((request.headers.authorization ?? "").slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) throw new OAuthError("invalid_token", "the Authorization header is not valid HTTP Basic", { basicChallenge: true });
  await refuseIfOverLimit(instance, "login-ip", request.ip);
  const outcome = await verifyPasswordLogin(instance, decoded.slice(0, colon), decoded.slice(colon + 1));
  if (!outcome.ok) {
    await enforceLimit(instance, "login-ip", request.ip).catch(() => {});
    throw new OAuthError("invalid_token", outcome.message, { basicChallenge: true });
  }
  return { user: outcome.user, roles: await rolesOf(instance.store.db, outcome.user.sysId) };
}
