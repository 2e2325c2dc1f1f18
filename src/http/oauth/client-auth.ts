import type { FastifyRequest } from "fastify";
import type { OAuthClient } from "../../domain/oauth-entity.ts";
import { constantTimeEqual, sha256 } from "../../domain/secrets.ts";
import type { Instance } from "../../instance.ts";
import { findClientByClientId } from "../../store/oauth-entity-store.ts";
import type { FormParams } from "../form-body.ts";
import { singleValued } from "../form-body.ts";
import { OAuthError } from "./oauth-error.ts";
import { hasBasicCredentials } from "../identity/basic-auth.ts";

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

export interface AuthenticatedClient {
  client: OAuthClient;
  method: ClientAuthMethod;
}

export interface Presented {
  method: ClientAuthMethod;
  clientId: string;
  secret?: string;
}

// Compared against when the client is unknown, so a miss costs what a hit does.
const decoyHash = sha256("portcullis-decoy-secret");

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded. */
function decodeBasic(header: string): { clientId: string; secret: string } {
  const fail = () => new OAuthError("invalid_client", "the Authorization header is not valid HTTP Basic", { basicChallenge: true });
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) throw fail();
  try {
    const unescape = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { clientId: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    throw fail();
  }
}

/** Which one method the client used; two at once is refused (RFC 6749 §2.3). */
export function presentedCredentials(request: FastifyRequest, form: FormParams): Presented {
  const body = singleValued(form, ["client_id", "client_secret"] as const);
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    if (!hasBasicCredentials(request)) throw new OAuthError("invalid_request", "the Authorization header must use HTTP Basic for client authentication");
    if (body.client_secret !== undefined) throw new OAuthError("invalid_request", "use one client authentication method: HTTP Basic or client_secret in the body, not both");
    const basic = decodeBasic(authorization);
    if (body.client_id !== undefined && body.client_id !== basic.clientId) {
      throw new OAuthError("invalid_request", "client_id in the body differs from the HTTP Basic client");
    }
    // A public client has no secret, yet requests-oauthlib (and other clients by default) still
    // names it in Basic with an empty password: that is the client_id alone, as in the body.
    if (basic.secret === "") return { method: "none", clientId: basic.clientId };
    return { method: "client_secret_basic", ...basic };
  }
  if (body.client_id === undefined) throw new OAuthError("invalid_client", "client authentication is required: send HTTP Basic or client_id and client_secret");
  if (body.client_secret !== undefined) return { method: "client_secret_post", clientId: body.client_id, secret: body.client_secret };
  return { method: "none", clientId: body.client_id };
}

/** Authenticates the calling client; every failure is the same invalid_client, whatever the cause. */
export async function authenticateClient(instance: Instance, request: FastifyRequest, form: FormParams): Promise<AuthenticatedClient> {
  const presented = presentedCredentials(request, form);
  const client = await findClientByClientId(instance.store.db, presented.clientId);
  // RFC 6749 §5.2: a client that tried the Authorization header is answered with a challenge.
  const basicChallenge = request.headers.authorization !== undefined;
  const failed = (detail: string) => new OAuthError("invalid_client", "client authentication failed", { basicChallenge, detail });

  if (presented.method === "none") {
    if (!client?.active) throw failed("unknown or inactive client");
    if (!client.publicClient) throw failed("a confidential client must authenticate with its secret");
    return { client, method: "none" };
  }
  // Compared even when there is nothing to compare with, so a miss costs what a hit does; a client without a stored secret never matches.
  const secretMatches = constantTimeEqual(sha256(presented.secret ?? ""), client?.clientSecretHash ?? decoyHash) && !!client?.clientSecretHash;
  if (!client || !secretMatches) throw failed("unknown client, wrong secret, or a secret sent by a public client");
  if (!client.active) throw failed("the client is inactive");
  return { client, method: presented.method };
}
