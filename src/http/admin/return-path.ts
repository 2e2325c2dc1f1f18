/** Resolves a return path against a fixed origin, so the only question left is whether it stayed there. */
const probe = "http://portcullis.invalid";

/**
 * A page of the admin area on this instance, as a path (`/admin…`, with its query), or undefined.
 * Sign-in's `next` and a form's `from` come from the browser, so they must not become an open
 * redirect: a scheme, a host (`//elsewhere`), a backslash a browser reads as a slash, or `..`
 * stepping out of /admin is refused. Control characters are refused too: in a Location header
 * they would fail the answer (a 500 for what is only a bad link).
 */
export function adminReturnPath(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > 2000 || !/^\/admin(\/|\?|$)/.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  const url = new URL(value, probe);
  if (url.origin !== probe || !/^\/admin(\/|$)/.test(url.pathname)) return undefined;
  // Written again by the URL parser: anything outside ASCII is percent-encoded, as a header needs.
  return url.pathname + url.search;
}
