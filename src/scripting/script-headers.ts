/**
 * Which response headers a script may set. Checked when the script calls setHeader, so it can
 * catch the refusal, and again by the dispatcher before the reply, since a value Node refuses
 * at write time (ERR_INVALID_CHAR) would otherwise reach the caller as Fastify's own error
 * instead of the script-error envelope.
 */
/** Connection management belongs to the server, cookies to sessions. */
const refusedHeaders = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "content-length", "set-cookie", "host"]);
/** RFC 9110 §5.1: a field name is a token. */
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/**
 * Tab, space and visible ASCII, up to 8 KiB. Node would also pass obs-text (\x80-\xff), but it
 * sends a script's "é" as UTF-8 bytes that clients read as Latin-1 ("Ã©"), and RFC 9110 §5.5
 * says new values should not use it; a longer value overflows what clients accept.
 */
const headerValue = /^[\t\x20-\x7e]{0,8192}$/;

/** All the headers a script sets together: clients refuse a response whose headers pass 16 KiB (Node's fetch among them). */
const maxTotal = 8192;

/** Why a script may not add this header to those it set (`set`, names and values), or null when it may. */
export function scriptHeaderProblem(name: string, value: string, set: readonly (readonly [string, string])[] = []): string | null {
  if (!headerName.test(name)) return "the name must be an HTTP token";
  if (refusedHeaders.has(name.toLowerCase())) return `${name} is set by the server, not by a script`;
  if (!headerValue.test(value)) return "the value may hold only tabs and characters from space to ~ (ASCII), at most 8192 of them: no line breaks, control or non-ASCII characters";
  if (set.reduce((total, [n, v]) => total + n.length + v.length, name.length + value.length) > maxTotal) return `the headers a script sets may hold at most ${maxTotal} characters together`;
  return null;
}
