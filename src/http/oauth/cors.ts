import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuthenticatedClient } from "./client-auth.ts";

/**
 * CORS for browser-based apps (draft-ietf-oauth-browser-based-apps), as node-oidc-provider's
 * default clientBasedCORS allows it: a public client's token and
 * revocation calls may be read by the origins of its own redirect URIs, and only those. The
 * form POST these endpoints take is a simple request, so no preflight is needed or answered.
 * A confidential client's secret has no business in a browser, so its calls get nothing.
 */
export function allowPublicClientOrigin(request: FastifyRequest, reply: FastifyReply, { client, method }: AuthenticatedClient): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  reply.header("vary", "Origin");
  // A private-use scheme (com.example.app:/cb) has the opaque origin "null", which sandboxed frames and file: pages also send.
  if (method !== "none" || origin === "null") return;
  if (client.redirectUrls.some((url) => URL.canParse(url) && new URL(url).origin === origin)) reply.header("access-control-allow-origin", origin);
}

/** Metadata is public and read by browser apps before they know anything else (RFC 8414 §3). */
export function allowAnyOrigin(reply: FastifyReply): FastifyReply {
  return reply.header("access-control-allow-origin", "*");
}
