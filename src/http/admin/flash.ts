import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { instanceCookieName } from "../identity/cookie-names.ts";

/**
 * A one-time message carried across the redirect of POST-redirect-GET. A freshly generated
 * client secret travels this way too: only to the browser that asked, for one minute, and
 * the page that shows it clears it, so the server never keeps the plain secret.
 */
export interface Flash {
  message?: string;
  secret?: { recordSysId: string; value: string };
}


function options(instance: Instance) {
  return { path: "/admin", httpOnly: true, sameSite: "strict" as const, secure: instance.config.publicUrl.startsWith("https:") };
}

export function setFlash(instance: Instance, reply: FastifyReply, flash: Flash): void {
  reply.setCookie(instanceCookieName(instance, "portcullis_flash"), Buffer.from(JSON.stringify(flash)).toString("base64url"), { ...options(instance), maxAge: 60 });
}

export function takeFlash(instance: Instance, request: FastifyRequest, reply: FastifyReply): Flash {
  const cookieName = instanceCookieName(instance, "portcullis_flash");
  const raw = request.cookies[cookieName];
  if (!raw) return {};
  reply.clearCookie(cookieName, options(instance));
  try {
    const value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Flash;
    return {
      ...(typeof value.message === "string" ? { message: value.message } : {}),
      ...(value.secret && typeof value.secret.value === "string" && typeof value.secret.recordSysId === "string" ? { secret: value.secret } : {}),
    };
  } catch {
    return {};
  }
}
