import type { IncomingHttpHeaders } from "node:http";
import { OAuthError } from "./oauth/oauth-error.ts";

/**
 * A body is read as it arrives. One compressed (Content-Encoding: gzip, br…) would be read as
 * garbage, or worse, half of it as something else; JSON in another character set than UTF-8
 * (RFC 8259 §8.1) likewise: a 415 says so instead (RFC 9110 §15.5.16). Checked in the body
 * parsers, so a request without a body costs nothing.
 */
export function bodyEncodingError(headers: IncomingHttpHeaders, options: { charset: boolean } = { charset: true }): OAuthError | undefined {
  const encoding = headers["content-encoding"];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    return new OAuthError("invalid_request", `a request body with Content-Encoding: ${encoding.slice(0, 40)} is not accepted; send it uncompressed`, { status: 415 });
  }
  if (!options.charset) return undefined;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headers["content-type"] ?? "")?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8" && charset !== "us-ascii") {
    return new OAuthError("invalid_request", `a request body in charset=${charset.slice(0, 40)} is not accepted; send it in UTF-8`, { status: 415 });
  }
  return undefined;
}
