import { isLoopbackHost } from "../config.ts";
import { type FieldIssue, issue } from "./validation.ts";

/**
 * Where a provider record sends what it holds: the client secret goes with every token request
 * and refresh (the token URL) and every revocation (the revocation URL); the admin's browser
 * goes to the authorization URL. These rules keep an edit of the record from sending the secret
 * somewhere it was not entered for, or over plain http across a network.
 */
export interface ProviderDestinations {
  authorization_url: string;
  token_url: string;
  revocation_url: string;
  allow_http: boolean;
}

export const providerURLFields = ["token_url", "authorization_url", "revocation_url"] as const;

/** The origins the client secret (and the tokens) are sent to. */
export function secretOrigins(p: Pick<ProviderDestinations, "token_url" | "revocation_url">): string[] {
  return [p.token_url, p.revocation_url].filter((url) => url !== "").map((url) => new URL(url).origin);
}

/**
 * The secret is write-only, but whoever can edit the record chooses where the instance sends it:
 * pointing the token URL at a server of one's own would read it back (a stolen admin token is
 * enough). So an edit that names an origin the record did not name before must bring the secret
 * again, as one who knows it; a new path on a known origin is the same server and keeps it.
 * Answers the first new origin, or undefined.
 */
export function originNeedingSecret(before: Pick<ProviderDestinations, "token_url" | "revocation_url">, after: Pick<ProviderDestinations, "token_url" | "revocation_url">): string | undefined {
  const known = new Set(secretOrigins(before));
  return secretOrigins(after).find((origin) => !known.has(origin));
}

export function secretIssue(before: Pick<ProviderDestinations, "token_url" | "revocation_url">, after: Pick<ProviderDestinations, "token_url" | "revocation_url">, secretGiven: boolean): FieldIssue | undefined {
  const origin = originNeedingSecret(before, after);
  return origin !== undefined && !secretGiven ? issue("client_secret", "validation.secretForNewOrigin", { origin }) : undefined;
}

/** Plain http carries the secret and tokens readable by the network on the way; this machine (loopback) is the exception. */
function plainHTTPOverNetwork(value: string): boolean {
  if (value === "" || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === "http:" && !isLoopbackHost(url.hostname);
}

/**
 * http URLs on other hosts unless the record allows them. As with redirect URIs, only a URL new
 * to the record is held to it (`before` is the stored record), so one stored before this rule
 * does not block every edit; turning `allow_http` off checks them all.
 */
export function plainHTTPIssues(after: ProviderDestinations, before?: ProviderDestinations): FieldIssue[] {
  if (after.allow_http) return [];
  const recheckAll = before === undefined || before.allow_http;
  return providerURLFields.filter((field) => (recheckAll || after[field] !== before[field]) && plainHTTPOverNetwork(after[field])).map((field) => issue(field, "validation.plainHttp", { url: after[field] }));
}
