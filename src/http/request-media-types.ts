import type { FastifyRequest } from "fastify";
import { OAuthError } from "./oauth/oauth-error.ts";

/**
 * The media types a REST API route reads its body in. Another one is refused with 415
 * Unsupported Media Type (RFC 9110 §15.5.16), as the platform's REST API reference lists it,
 * naming the type received and the ones the route reads, so the fix is in the answer.
 */
declare module "fastify" {
  interface FastifyContextConfig {
    bodyTypes?: readonly string[];
  }
}

/** Portcullis's own APIs, the Batch API, the Aggregate API. */
export const jsonBodies = ["application/json"] as const;
/** The Table API's writes and one Import Set row, as the platform's reference lists for Content-Type. */
export const jsonOrXMLBodies = ["application/json", "application/xml", "text/xml"] as const;
/** Scripted REST APIs: the platform's default request formats, and forms and text, which a script reads as sent. */
export const scriptedRestBodies = ["application/json", "application/xml", "text/xml", "*/*+xml", "application/x-www-form-urlencoded", "text/plain"] as const;

export function unsupportedMediaType(request: FastifyRequest): OAuthError {
  const accepted = request.routeOptions.config?.bodyTypes ?? jsonBodies;
  const received = request.headers["content-type"]?.slice(0, 100);
  const listed = accepted.length === 1 ? accepted[0] : `${accepted.slice(0, -1).join(", ")} or ${accepted.at(-1)}`;
  return new OAuthError("invalid_request", `unsupported media type: a request body of Content-Type: ${received} is not read here; send ${listed}`, { status: 415 });
}
