import { clipped, OAuthError } from "./oauth-error.ts";

/**
 * Scopes this instance grants. `useraccount` is the platform's default: the token carries
 * the user's full rights, read from their roles when the token is used.
 */
export const supportedScopes = ["useraccount"] as const;
export const defaultScope = "useraccount";

const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The granted scope for a request (RFC 6749 §3.3); `allowed` narrows it, as on refresh. */
export function resolveScope(requested: string | undefined, allowed: readonly string[] = supportedScopes): string {
  if (requested === undefined) return allowed.includes(defaultScope) ? defaultScope : allowed.join(" ");
  const names = requested.split(" ");
  const unknown = names.find((n) => !scopeToken.test(n) || !allowed.includes(n));
  if (unknown !== undefined) throw new OAuthError("invalid_scope", `the scope "${clipped(unknown)}" is not available to this client`);
  return [...new Set(names)].join(" ");
}
