import type { OAuthProvider } from "../domain/oauth-provider.ts";
import type { Instance } from "../instance.ts";
import { providerFetch, readProviderBody, tokenAnswerLimit } from "./provider-http.ts";

interface Metadata {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  authorization_response_iss_parameter_supported?: unknown;
}

/** Path segments above the authorization endpoint an issuer may be at (Keycloak's is /realms/{realm}, three above). */
const maxIssuerDepth = 4;

/**
 * The issuers the provider's authorization URL can be under, deepest first: each path up to
 * maxIssuerDepth segments above the endpoint (Keycloak: `/realms/x` above
 * `/realms/x/protocol/openid-connect/auth`, also behind a proxy's path prefix), then the origin.
 */
function issuerCandidates(authorizationUrl: URL): string[] {
  const segments = authorizationUrl.pathname.split("/").filter(Boolean).slice(0, -1);
  const candidates: string[] = [];
  for (let i = segments.length; i >= Math.max(1, segments.length - maxIssuerDepth + 1); i--) candidates.push(`${authorizationUrl.origin}/${segments.slice(0, i).join("/")}`);
  return [...candidates, authorizationUrl.origin];
}

/**
 * Where an issuer publishes its metadata: RFC 8414's place (the well-known path inserted before
 * the issuer's path, §3.1), then OpenID Connect Discovery's (appended), whose document RFC 8414
 * §5 makes compatible. node-oidc-provider (and every server built on it) and Keycloak publish
 * the second, with `authorization_response_iss_parameter_supported: true`.
 */
function metadataUrls(issuer: string): string[] {
  const { origin, pathname } = new URL(issuer);
  const path = pathname === "/" ? "" : pathname;
  return [`${origin}/.well-known/oauth-authorization-server${path}`, `${origin}${path}/.well-known/openid-configuration`];
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
 * RFC 9207: the issuer a provider's authorization responses must name in `iss`, or null when it
 * does not say it sends one. Read from the metadata of the issuers the authorization URL can be
 * under, asked at once (the admin is waiting). A document counts only for the issuer it was
 * found for (RFC 8414 §3.3) and, when it names an authorization endpoint, only if that is the
 * provider's: metadata about some other server says nothing about this one.
 */
export async function expectedIssuer(instance: Instance, provider: OAuthProvider): Promise<string | null> {
  const authorizationUrl = new URL(provider.authorizationUrl);
  const endpoint = `${authorizationUrl.origin}${authorizationUrl.pathname}`;
  const candidates = issuerCandidates(authorizationUrl);
  const documents = await Promise.all(candidates.map((issuer) => Promise.all(metadataUrls(issuer).map((url) => metadataAt(instance, url)))));
  if (documents.flat().every((d) => d === "unreachable")) return null;
  for (const [i, issuer] of candidates.entries()) {
    for (const metadata of documents[i]!) {
      if (typeof metadata !== "object" || typeof metadata.issuer !== "string" || metadata.issuer.replace(/\/+$/, "") !== issuer) continue;
      if (typeof metadata.authorization_endpoint === "string" && metadata.authorization_endpoint.split("?")[0] !== endpoint) continue;
      return metadata.authorization_response_iss_parameter_supported === true ? metadata.issuer : null;
    }
  }
  return null;
}
