import Negotiator from "negotiator";
import type { FastifyRequest } from "fastify";
import { OAuthError } from "./oauth/oauth-error.ts";

/**
 * The REST APIs answer JSON only. The platform also answers XML (Accept: application/xml); a
 * client asking only for that used to get JSON with a 200 and fail in its XML parser far from
 * the cause. RFC 9110 §12.5.1: a request whose Accept excludes every type we can send is a 406.
 * No Accept, or one with application/json, application/* or *\/*, is served as before.
 */
export function assertAcceptsJson(request: FastifyRequest): void {
  const accept = request.headers.accept;
  if (accept === undefined || accept === "application/json" || accept === "*/*" || accept.trim() === "") return;
  if (new Negotiator({ headers: { accept } }).mediaType(["application/json"]) !== undefined) return;
  throw new OAuthError("invalid_request", `this API answers in JSON only; the request's Accept (${accept.slice(0, 100)}) does not include application/json`, { status: 406 });
}
