/**
 * The closed set of OAuth error codes Portcullis answers with (RFC 6749 §4.1.2.1 and §5.2,
 * RFC 6750 §3.1, RFC 7009 §2.2.1), each with its fixed HTTP status.
 */
const statusOf = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  unsupported_response_type: 400,
  unsupported_token_type: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
} as const;

export type OAuthErrorCode = keyof typeof statusOf;

export class OAuthError extends Error {
  readonly status: number;

  /**
   * @param description safe to show the client (`error_description`)
   * @param detail for the log only
   */
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly options: {
      status?: number;
      detail?: string;
      basicChallenge?: boolean;
      /** RFC 6750 §3: a refused bearer request is challenged whatever its status, its malformed 400s too. */
      bearerChallenge?: boolean;
      /** RFC 6750 §3.1: no credentials at all gets a bare challenge. */
      bare?: boolean;
      retryAfter?: number;
    } = {},
  ) {
    super(`${code}: ${description}`);
    this.status = options.status ?? statusOf[code];
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: wireDescription(this.description) };
  }
}

/**
 * error_description as RFC 6749 §4.1.2.1 and §5.2 and RFC 6750 §3 allow it: printable ASCII
 * without `"` and `\`. What the client sent is quoted through `clipped`, which leaves nothing
 * outside the set; here a double quote (our own quoting) becomes a single one, and anything else
 * outside the set `?`.
 */
export function wireDescription(description: string): string {
  return description.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "?");
}

const clippedLength = 100;
const shownAsIs = /^[\x20-\x21\x23-\x24\x26-\x5b\x5d-\x7e]$/;

/**
 * A value the client sent, to quote in a description: at most about 100 characters, then
 * "...", so a 60 KB scope is not sent back whole; what error_description may not hold
 * (`"`, `\`, non-ASCII, controls) is percent-encoded as a form sends it, `%` too, so the
 * quote reads unambiguously and survives wireDescription unchanged.
 */
export function clipped(value: string): string {
  let shown = "";
  for (const character of value) {
    const piece = shownAsIs.test(character) ? character : percentEncoded(character);
    if (shown.length + piece.length > clippedLength) return `${shown}...`;
    shown += piece;
  }
  return shown;
}

function percentEncoded(character: string): string {
  try {
    return encodeURIComponent(character);
  } catch {
    // A lone surrogate (JSON can carry one) has no UTF-8 form.
    return "?";
  }
}
