import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { SecurityHeaderSets } from "./security-headers.ts";
import { paths } from "./paths.ts";
import { maxRequestHead, requestHeadTooLarge } from "./url-limits.ts";

const oauthEndpoints: ReadonlySet<string> = new Set([paths.token, paths.revoke, paths.introspect]);

/** The path of the request line the parser stopped in, when the bytes it kept begin with one. */
function pathOf(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  const line = /^[A-Z]{3,7} (\/[^ ?#\r\n]*)/.exec(rawPacket.subarray(0, 2048).toString("latin1"));
  return line?.[1];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The answer to bytes the HTTP parser could not read as a request (a URL and headers past Node's
 * limit, a request too slow to arrive, bytes that are not HTTP), written on the socket since no
 * route runs. Each path answers in its own format as far as the parser's bytes tell it: the OAuth
 * endpoints RFC 6749's error JSON, the APIs the Table API's envelope, the pages (the consent page,
 * the admin UI) a page; with the security headers every answer carries, and never the bytes sent.
 */
export function answerUnparsedRequest(socket: Duplex, code: string | undefined, rawPacket: unknown, headerSets: SecurityHeaderSets): void {
  const status = code === "HPE_HEADER_OVERFLOW" ? 431 : code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const path = pathOf(rawPacket);
  const format = path === undefined || path.startsWith("/api/") ? "api" : oauthEndpoints.has(path) ? "oauth" : "page";
  const message =
    status === 431
      ? format === "api"
        ? requestHeadTooLarge
        : `the request's URL and headers are too large: together they may be at most ${maxRequestHead} bytes`
      : status === 408
        ? "the request took too long to arrive"
        : "the request is not valid HTTP";
  let body: string;
  let headers: Record<string, string>;
  if (format === "page") {
    body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} ${STATUS_CODES[status]}</title></head><body><h1>${STATUS_CODES[status]}</h1><p>${escapeHtml(message)}</p></body></html>`;
    headers = { ...headerSets.document, "content-type": "text/html; charset=utf-8" };
  } else {
    body = JSON.stringify(format === "oauth" ? { error: "invalid_request", error_description: message } : { error: { message, detail: `invalid_request: ${message}` }, status: "failure" });
    headers = { ...headerSets.common, "content-type": "application/json; charset=utf-8", ...(format === "oauth" ? { pragma: "no-cache" } : {}) };
  }
  const lines = Object.entries({ ...headers, "cache-control": "no-store", "content-length": String(Buffer.byteLength(body)), connection: "close" }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join("")}\r\n${body}`);
}
