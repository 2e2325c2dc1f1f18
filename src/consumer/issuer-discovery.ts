import type { OAuthProvider } from "../domain/oauth-provider.ts";
import type { Instance } from "../instance.ts";
import { providerFetch, readProviderBody, tokenAnswerLimit } from "./provider-http.ts";

/**
 * Where a provider at an origin publishes its metadata: RFC 8414's own place, then OpenID
 * Connect Discovery's, whose document RFC 8414 §5 makes compatible. node-oidc-provider (and so
 * every server built on it) publishes only the second, with
 * `authorization_response_iss_parameter_supported: true`.
 */
const metadataPaths = ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"];

interface Metadata {
  issuer?: unknown;
  authorization_response_iss_parameter_supported?: unknown;
}

/** The document at `url`; "none" when the server answered without one, "unreachable" when it did not answer. */
async function metadataAt(instance: Instance, url: string): Promise<Metadata | "none" | "unreachable"> {
  let response: Response;
  try {
    response = await providerFetch(instance, url, { method: "GET", headers: { accept: "application/json" } });
  } catch {
    return "unreachable";
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    return "none";
  }
  try {
    const metadata: unknown = JSON.parse(await readProviderBody(response, url, tokenAnswerLimit));
    return typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) ? metadata : "none";
  } catch {
    return "none";
  }
}

/**
 * RFC 9207: the issuer a provider's authorization responses must name in `iss`, or null when
 * it does not say it sends one. Read from its metadata at the authorization URL's origin (the
 * first document found; a server that does not answer is not asked twice, the admin is waiting);
 * metadata whose `issuer` is not that origin is not the provider's (RFC 8414 §3.3) and is
 * ignored, as is metadata that cannot be had.
 */
export async function expectedIssuer(instance: Instance, provider: OAuthProvider): Promise<string | null> {
  const origin = new URL(provider.authorizationUrl).origin;
  for (const path of metadataPaths) {
    const metadata = await metadataAt(instance, `${origin}${path}`);
    if (metadata === "unreachable") return null;
    if (metadata === "none") continue;
    if (metadata.authorization_response_iss_parameter_supported !== true || typeof metadata.issuer !== "string") return null;
    return metadata.issuer.replace(/\/+$/, "") === origin ? metadata.issuer : null;
  }
  return null;
}
