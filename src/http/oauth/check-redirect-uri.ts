import type { OAuthClient } from "../../domain/oauth-entity.ts";
import { redirectUriMatches } from "../../domain/redirect-uri.ts";
import type { MessageKey, MessageValues } from "../../i18n/translator.ts";

/** The redirect URI a request may leave out: the client's only one (RFC 6749 §3.1.2.3), as node-oidc-provider allows by default. */
export function soleRedirectUri(client: OAuthClient): string | undefined {
  return client.redirectUrls.length === 1 ? client.redirectUrls[0] : undefined;
}

/** The registered redirect URI the request names, or a reason (a catalog message) to show on a page (never redirect to it). */
export function checkRedirectUri(client: OAuthClient, requested: string | undefined): { ok: true; redirectUri: string } | { ok: false; key: MessageKey; values?: MessageValues } {
  if (client.redirectUrls.length === 0) return { ok: false, key: "authorizeError.noRedirectUrls", values: { name: client.name } };
  if (requested === undefined) {
    const sole = soleRedirectUri(client);
    return sole === undefined ? { ok: false, key: "authorizeError.noRedirectUri" } : { ok: true, redirectUri: sole };
  }
  if (!client.redirectUrls.some((registered) => redirectUriMatches(registered, requested))) {
    return { ok: false, key: "authorizeError.unregisteredRedirectUri", values: { name: client.name } };
  }
  return { ok: true, redirectUri: requested };
}
