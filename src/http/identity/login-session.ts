import type { FastifyReply, FastifyRequest } from "fastify";
import { constantTimeEqual, newSecret } from "../../domain/secrets.ts";
import type { Instance } from "../../instance.ts";
import { createLoginSession, deleteLoginSession, findLoginSession, type LoginSession, type SessionLifespans } from "../../store/session-store.ts";
import { checkedPasswordHolds } from "../../store/checked-password.ts";
import { findUserById, type User } from "../../store/user-store.ts";
import { instanceCookieName } from "./cookie-names.ts";

/**
 * Browser sessions for the login and consent forms. Over https the cookies take the
 * `__Host-` prefix, which pins them to this host, path `/` and Secure; a non-default port is
 * part of their names (cookie-names.ts).
 */
function cookieNames(instance: Instance) {
  const secure = instance.config.publicUrl.startsWith("https:");
  const prefix = secure ? "__Host-" : "";
  return { session: `${prefix}${instanceCookieName(instance, "portcullis_session")}`, loginCsrf: `${prefix}${instanceCookieName(instance, "portcullis_login_csrf")}`, secure };
}

function cookieOptions(instance: Instance, maxAgeSeconds?: number) {
  const { secure } = cookieNames(instance);
  return { path: "/", httpOnly: true, sameSite: "lax" as const, secure, ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}) };
}

function lifespans(instance: Instance): SessionLifespans {
  return { idleSeconds: instance.config.sessionLifespan, maxSeconds: instance.config.sessionMaxLifespan };
}

export async function currentSession(instance: Instance, request: FastifyRequest): Promise<LoginSession | undefined> {
  const value = request.cookies[cookieNames(instance).session];
  if (!value) return undefined;
  const session = await findLoginSession(instance.store.db, value, lifespans(instance));
  if (!session) return undefined;
  // A deactivated user's sessions end at once, like their tokens.
  const user = await findUserById(instance.store.db, session.userSysId);
  if (!user?.active) {
    await deleteLoginSession(instance.store.db, value);
    return undefined;
  }
  return session;
}

/** The browser sent a session cookie: when there is no session for it, the one it had has ended. */
export function sentSessionCookie(instance: Instance, request: FastifyRequest): boolean {
  return Boolean(request.cookies[cookieNames(instance).session]);
}

/**
 * Starts a session for a user whose password was just checked; none when the user's password
 * changed or they were deactivated while it was checked (src/store/checked-password.ts).
 */
export async function startSession(instance: Instance, reply: FastifyReply, checked: Pick<User, "sysId" | "passwordHash">): Promise<LoginSession | undefined> {
  const started = await instance.store.db.transaction().execute(async (trx) => ((await checkedPasswordHolds(trx, checked)) ? createLoginSession(trx, checked.sysId, lifespans(instance)) : undefined));
  if (!started) return undefined;
  const { cookieValue, session } = started;
  reply.setCookie(cookieNames(instance).session, cookieValue, cookieOptions(instance));
  reply.clearCookie(cookieNames(instance).loginCsrf, cookieOptions(instance));
  return session;
}

export async function endSession(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const name = cookieNames(instance).session;
  const value = request.cookies[name];
  if (value) await deleteLoginSession(instance.store.db, value);
  reply.clearCookie(name, cookieOptions(instance));
}

/**
 * The login form has no session yet, so its CSRF token is a double-submit cookie: the form
 * must echo the random value the cookie holds, which another site can neither read nor set.
 */
export function loginCsrfToken(instance: Instance, request: FastifyRequest, reply: FastifyReply): string {
  const name = cookieNames(instance).loginCsrf;
  const existing = request.cookies[name];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = newSecret();
  reply.setCookie(name, token, cookieOptions(instance, 3600));
  return token;
}

export function loginCsrfValid(instance: Instance, request: FastifyRequest, submitted: string | null): boolean {
  const expected = request.cookies[cookieNames(instance).loginCsrf];
  return !!expected && submitted !== null && constantTimeEqual(expected, submitted);
}

export function sessionCsrfValid(session: LoginSession, submitted: string | null): boolean {
  return submitted !== null && constantTimeEqual(session.csrfToken, submitted);
}

/** Browsers say where a form came from; a cross-site POST is refused before any token check. */
export function crossSiteRequest(request: FastifyRequest): boolean {
  return request.headers["sec-fetch-site"] === "cross-site";
}
