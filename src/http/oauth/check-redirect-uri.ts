import type { OAuthClient } from "../../domain/oauth-entity.ts";
import { redirectUriMatches } from "../../domain/redirect-uri.ts";

/** The registered redirect URI the request names, or a reason to show on a page (never redirect to it). */
export function checkRedirectUri(client: OAuthClient, requested: string | undefined): { ok: true; redirectUri: string } | { ok: false; message: string } {
  if (client.redirectUrls.length === 0) return { ok: false, message: `The client "${client.name}" has no redirect URLs registered, so it cannot use the authorization code grant.` };
  if (requested === undefined) return { ok: false, message: "The request has no redirect_uri." };
  if (!client.redirectUrls.some((registered) => redirectUriMatches(registered, requested))) {
    return { ok: false, message: `The redirect_uri is not registered for the client "${client.name}". It must match a registered redirect URL exactly.` };
  }
  return { ok: true, redirectUri: requested };
}
