import type { MessageKey, MessageValues } from "../i18n/translator.ts";
import { issue } from "./validation.ts";

/**
 * Redirect URIs as RFC 9700 §2.1 wants them: registered exactly, compared exactly, with
 * one exception for loopback IP literals whose port may vary (RFC 8252 §7.3).
 */

/** The seed enters the list as "a, b"; plain commas work too. Commas inside a URL must be %2C. */
export function parseRedirectUrlList(value: string | readonly string[]): string[] {
  const parts = typeof value === "string" ? value.split(",") : value.flatMap((v) => v.split(","));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

export function formatRedirectUrlList(urls: readonly string[]): string {
  return urls.join(", ");
}

const loopbackIpHosts = new Set(["127.0.0.1", "[::1]"]);
const loopbackHosts = new Set([...loopbackIpHosts, "localhost"]);

/** Why a URL cannot be registered as a redirect URI (a catalog message), or undefined when it can. */
export function redirectUriIssue(value: string, allowHttp: boolean): { key: MessageKey; values: MessageValues } | undefined {
  const values = { url: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { key: "validation.redirect.notAbsolute", values };
  }
  if (url.hash || value.includes("#")) return { key: "validation.redirect.fragment", values };
  if (url.username || url.password) return { key: "validation.redirect.userInfo", values };
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "https") return undefined;
  if (scheme === "http") {
    if (allowHttp || loopbackHosts.has(url.hostname)) return undefined;
    return { key: "validation.redirect.http", values };
  }
  // Native apps may use a private-use scheme in reverse-domain form (RFC 8252 §7.1).
  if (scheme.includes(".")) return undefined;
  return { key: "validation.redirect.scheme", values: { ...values, scheme } };
}

/**
 * What a URL entered now may not hold, beyond redirectUriIssue: spaces and control characters
 * (the URL parser would percent-encode them, but the text as stored is what requests are
 * compared with) and a wildcard host, which exact matching would never match. Only URLs new
 * to a record are held to it, so one stored before these rules does not block every edit.
 */
export function newRedirectUriIssue(value: string): { key: MessageKey; values: MessageValues } | undefined {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return { key: "validation.redirect.controlCharacters", values: { url: JSON.stringify(value).slice(1, -1) } };
  if (URL.canParse(value) && new URL(value).hostname.includes("*")) return { key: "validation.redirect.wildcard", values: { url: value } };
  return undefined;
}

/** The same, in English. */
export function redirectUriProblem(value: string, allowHttp: boolean): string | undefined {
  const problem = newRedirectUriIssue(value) ?? redirectUriIssue(value, allowHttp);
  return problem && issue("", problem.key, problem.values).message;
}

const loopbackAuthority = /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d{1,5})?(?=[/?]|$)/;

/** Exact string comparison, except that a registered loopback IP literal accepts any port. */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  // A port past 65535 "matches" the pattern but is no URL at all.
  if (!URL.canParse(requested)) return false;
  if (!loopbackAuthority.test(registered)) return false;
  const portless = (raw: string) => raw.replace(loopbackAuthority, "http://$1");
  return loopbackAuthority.test(requested) && portless(registered) === portless(requested);
}
