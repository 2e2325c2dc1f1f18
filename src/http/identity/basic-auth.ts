import type { FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { rolesOf, type User } from "../../store/user-store.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { allowanceLeft, enforceLimit, tooMany } from "../rate-limit.ts";
import { admit } from "./admission.ts";
import { type LoginOutcome, verifyPasswordLogin } from "./password-login.ts";

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
  const outcome = await checkBasicPassword(instance, request.ip, decoded.slice(0, colon), decoded.slice(colon + 1));
  if (!outcome.ok) throw new OAuthError("invalid_token", outcome.message, { basicChallenge: true });
  return { user: outcome.user, roles: await rolesOf(instance.store.db, outcome.user.sysId) };
}

/**
 * A Basic password check from `ip`, on the REST APIs and the admin JSON APIs alike. An address
 * whose failures spent its login allowance gets 429 before any password is checked, so the
 * limit confirms no guess. Only failures count, so checks in flight from one address are held
 * to the allowance left, as an account's are to its lockout: a parallel burst of guesses cannot
 * all read the count before any of them adds to it, while a burst of right passwords waits its
 * turn instead of being refused (src/http/identity/admission.ts).
 */
export async function checkBasicPassword(instance: Instance, ip: string, userName: string, password: string): Promise<LoginOutcome> {
  const { release } = await admit(instance.store.db, `ip:${ip}`, async () => ({ room: await allowanceLeft(instance, "login-ip", ip) }));
  if (!release) throw tooMany(Date.now());
  try {
    const outcome = await verifyPasswordLogin(instance, userName, password);
    // The failure that spends the allowance is still answered as the failure it was.
    if (!outcome.ok) await enforceLimit(instance, "login-ip", ip).catch(unlessTooMany);
    return outcome;
  } finally {
    release();
  }
}

function unlessTooMany(error: unknown): void {
  if (!(error instanceof OAuthError && error.status === 429)) throw error;
}
