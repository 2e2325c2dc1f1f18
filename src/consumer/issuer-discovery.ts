import type { OAuthProvider } from "../domain/oauth-provider.ts";
import type { Instance } from "../instance.ts";
import { providerFetch, readProviderBody, tokenAnswerLimit } from "./provider-http.ts";

/**
 * RFC 9207: the issuer a provider's authorization responses must name in `iss`, or null when
 * it does not say it sends one. Read from its RFC 8414 metadata at the authorization URL's
 * origin; metadata whose `issuer` is not that origin is not the provider's (RFC 8414 §3.3)
 * and is ignored, as is metadata that cannot be had.
 */
export async function expectedIssuer(instance: Instance, provider: OAuthProvider): Promise<string | null> {
  const origin = new URL(provider.authorizationUrl).origin;
  try {
    const url = `${origin}/.well-known/oauth-authorization-server`;
    const response = await providerFetch(instance, url, { method: "GET", headers: { accept: "application/json" } });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const metadata = JSON.parse(await readProviderBody(response, url, tokenAnswerLimit)) as { issuer?: unknown; authorization_response_iss_parameter_supported?: unknown };
    if (metadata.authorization_response_iss_parameter_supported !== true || typeof metadata.issuer !== "string") return null;
    return metadata.issuer.replace(/\/+$/, "") === origin ? metadata.issuer : null;
  } catch {
    return null;
  }
}
