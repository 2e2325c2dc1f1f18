/** The query of a request target: everything after the first "?" (RFC 3986 §3.4 lets a query hold "?" itself). */
export function rawQuery(url: string): string {
  const start = url.indexOf("?");
  return start < 0 ? "" : url.slice(start + 1);
}
