import type { FastifyReply, FastifyRequest } from "fastify";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import type { Instance } from "../../instance.ts";
import type { LoginSession } from "../../store/session-store.ts";
import { instanceCookieName } from "../identity/cookie-names.ts";

/**
 * A one-time message carried across the redirect of POST-redirect-GET. A freshly generated
 * client secret travels this way too, so the cookie is sealed with the instance's secret key
 * (AES-256-GCM, secret-box.ts) and bound to the admin session that asked: the browser cannot
 * read the secret out of it, another site or session cannot forge one (a message or a "new
 * secret" of its choosing), and it is void after a minute. The page that shows it clears it;
 * the server keeps nothing, so any node or worker of the instance can show it.
 */
export interface Flash {
  message?: string;
  secret?: { recordSysId: string; value: string };
}

const lifetimeMs = 60_000;

// Over https the prefix pins the cookie to this host, path / and Secure, as the session's is (login-session.ts).
function cookieName(instance: Instance): string {
  const name = instanceCookieName(instance, "portcullis_flash");
  return instance.config.publicUrl.startsWith("https:") ? `__Host-${name}` : name;
}

function options(instance: Instance) {
  return { path: "/", httpOnly: true, sameSite: "strict" as const, secure: instance.config.publicUrl.startsWith("https:") };
}

const sealedFor = (session: LoginSession) => `admin-flash:${session.sysId}`;

export function setFlash(instance: Instance, reply: FastifyReply, session: LoginSession, flash: Flash): void {
  const sealed = instanceSecretBox(instance).seal(JSON.stringify({ ...flash, expiresAt: Date.now() + lifetimeMs }), sealedFor(session));
  reply.setCookie(cookieName(instance), sealed, { ...options(instance), maxAge: lifetimeMs / 1000 });
}

export function takeFlash(instance: Instance, request: FastifyRequest, reply: FastifyReply, session: LoginSession): Flash {
  const name = cookieName(instance);
  const raw = request.cookies[name];
  if (!raw) return {};
  reply.clearCookie(name, options(instance));
  try {
    const value = JSON.parse(instanceSecretBox(instance).open(raw, sealedFor(session))) as Flash & { expiresAt?: unknown };
    if (typeof value.expiresAt !== "number" || value.expiresAt < Date.now()) return {};
    return {
      ...(typeof value.message === "string" ? { message: value.message } : {}),
      ...(value.secret && typeof value.secret.value === "string" && typeof value.secret.recordSysId === "string" ? { secret: value.secret } : {}),
    };
  } catch {
    // Forged, from another session, or sealed under a key this instance no longer has: nothing to show.
    return {};
  }
}
