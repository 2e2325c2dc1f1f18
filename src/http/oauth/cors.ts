import type { FastifyReply, FastifyRequest } from "fastify";
import { isPlainObject } from "../../domain/record-input.ts";
import type { Instance } from "../../instance.ts";
import { findClientByClientId } from "../../store/oauth-entity-store.ts";
import type { FormParams } from "../form-body.ts";
import { presentedCredentials } from "./client-auth.ts";

/**
 * The parameters a body holds, for naming the client only: a string body is what fetch sends
 * for a form built by hand (text/plain, a simple request), and a JSON object is read too, so an
 * app sent the wrong body can read why it was refused.
 */
function parametersOf(body: unknown): FormParams {
  if (body instanceof URLSearchParams) return body;
  if (typeof body === "string") return new URLSearchParams(body);
  if (isPlainObject(body)) return new URLSearchParams(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  return new URLSearchParams();
}

/** The public client a request names with its client_id alone, in the body or in Basic with an empty password. */
function namedPublicClientId(request: FastifyRequest): string | undefined {
  try {
    const presented = presentedCredentials(request, parametersOf(request.body));
    return presented.method === "none" ? presented.clientId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CORS for browser-based apps (draft-ietf-oauth-browser-based-apps), as node-oidc-provider's
 * default clientBasedCORS allows it: a public client's token and revocation answers may be read
 * by the origins of its own redirect URIs, and only those. It runs as the answer leaves, from the
 * client_id the request names, so a refusal made before the client is authenticated (a repeated
 * parameter, an unknown grant type, a body that is not a form) is readable too. A request with a
 * secret gets nothing: a confidential client's secret has no business in a browser, and a
 * confidential client is never taken on its client_id alone. The form POST these endpoints take
 * is a simple request, so no preflight is needed or answered.
 */
export async function allowPublicClientOrigin(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Whether the answer may be read depends on Origin even when there is none: a cache must not reuse one for the other.
  reply.header("vary", "Origin");
  const origin = request.headers.origin;
  // A private-use scheme (com.example.app:/cb) has the opaque origin "null", which sandboxed frames and file: pages also send.
  if (origin === undefined || origin === "null") return;
  const clientId = namedPublicClientId(request);
  if (clientId === undefined) return;
  // The database away already makes the answer a 503; CORS is not worth a second failure.
  const client = await findClientByClientId(instance.store.db, clientId).catch(() => undefined);
  if (!client?.active || !client.publicClient) return;
  if (client.redirectUrls.some((url) => URL.canParse(url) && new URL(url).origin === origin)) reply.header("access-control-allow-origin", origin);
}

/** Metadata is public and read by browser apps before they know anything else (RFC 8414 §3). */
export function allowAnyOrigin(reply: FastifyReply): FastifyReply {
  return reply.header("access-control-allow-origin", "*");
}
