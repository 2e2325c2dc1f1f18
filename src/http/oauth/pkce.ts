import { createHash } from "node:crypto";
import { constantTimeEqual } from "../../domain/secrets.ts";
import { OAuthError } from "./oauth-error.ts";

/** RFC 7636 §4.1: 43–128 characters from the unreserved set. */
const verifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/;
/** An S256 challenge is a base64url SHA-256: exactly 43 characters. */
const challengePattern = /^[A-Za-z0-9\-_]{43}$/;

/**
 * Checks the PKCE parameters of an authorization request. Only S256 is offered: `plain`
 * protects nothing against a leaked request (RFC 9700 §2.1.1).
 */
export function checkCodeChallenge(challenge: string | undefined, method: string | undefined, required: boolean): string | null {
  if (challenge === undefined) {
    if (method !== undefined) throw new OAuthError("invalid_request", "code_challenge_method was sent without a code_challenge");
    if (required) throw new OAuthError("invalid_request", "this client must use PKCE: send code_challenge and code_challenge_method=S256");
    return null;
  }
  if (method !== "S256") throw new OAuthError("invalid_request", "code_challenge_method must be S256 (plain is not supported)");
  if (!challengePattern.test(challenge)) throw new OAuthError("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the code_verifier");
  return challenge;
}

/** Checks a code_verifier against the challenge bound to the code (RFC 7636 §4.6). */
export function verifyCodeVerifier(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    if (verifier !== undefined) throw new OAuthError("invalid_grant", "a code_verifier was sent for a code issued without a code_challenge");
    return;
  }
  if (verifier === undefined) throw new OAuthError("invalid_grant", "this code requires a code_verifier");
  if (!verifierPattern.test(verifier)) throw new OAuthError("invalid_grant", "code_verifier must be 43 to 128 unreserved characters");
  const computed = createHash("sha256").update(verifier, "ascii").digest("base64url");
  if (!constantTimeEqual(computed, challenge)) throw new OAuthError("invalid_grant", "the code_verifier does not match the code_challenge");
}
