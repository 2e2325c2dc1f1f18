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
  // RFC 6749 §3.3: scope-token *( SP scope-token ); an empty name is a spacing mistake, not a scope to name.
  if (names.includes("")) throw new OAuthError("invalid_scope", "the scope is malformed: scope names are separated by single spaces, with none before the first or after the last (RFC 6749 §3.3)");
  const unknown = names.find((n) => !scopeToken.test(n) || !allowed.includes(n));
  if (unknown !== undefined) throw new OAuthError("invalid_scope", `the scope "${clipped(unknown)}" is not available to this client`);
  return [...new Set(names)].join(" ");
}
