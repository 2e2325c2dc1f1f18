import { isUtf8 } from "node:buffer";
import { OAuthError } from "./oauth/oauth-error.ts";

/**
 * A body's bytes as text, if they are UTF-8 (RFC 8259 §8.1 for JSON; XML's default). Decoding
 * without the check turns each stray byte into U+FFFD, so a record was stored quietly mangled;
 * a body that is not UTF-8 is the client's mistake and is refused whole, writing nothing.
 */
export function utf8Text(body: Buffer | string): string {
  if (typeof body === "string") return body;
  if (!isUtf8(body)) throw new OAuthError("invalid_request", "the request body is not valid UTF-8; send it in UTF-8");
  return body.toString("utf8");
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a parsed JSON value holds a string (a value or a name) with half of a surrogate pair,
 * which JSON's \u escapes can spell (\udfff) but which is no Unicode character: written to the
 * database it became U+FFFD. The body's depth is bounded before it is parsed (body-depth.ts).
 */
export function holdsLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return loneSurrogate.test(value);
  if (Array.isArray(value)) return value.some(holdsLoneSurrogate);
  if (value !== null && typeof value === "object") return Object.entries(value).some(([name, inner]) => loneSurrogate.test(name) || holdsLoneSurrogate(inner));
  return false;
}
