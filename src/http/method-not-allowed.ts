import type { ErrorFormat } from "./error-rendering.ts";

/**
 * RFC 9110 §15.5.6: a path this server serves, asked with a method it does not answer, is a
 * 405 naming the methods it does (Allow), not a 404 saying the path does not exist. The
 * router has no such answer, so the route table is matched here the way the router ranks it:
 * at each segment a static name beats a parameter, and a parameter beats a wildcard.
 */
export interface PathMethods {
  methods: string[];
  errorFormat: ErrorFormat;
}

interface Pattern extends PathMethods {
  segments: string[];
}

const rank = (segment: string) => (segment === "*" ? 2 : segment.startsWith(":") ? 1 : 0);

function matches(pattern: string[], path: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i]!;
    if (segment === "*") return true;
    if (i >= path.length) return false;
    if (segment.startsWith(":") ? path[i] === "" : segment !== path[i]) return false;
  }
  return pattern.length === path.length;
}

/** Which ranks first: the lower rank at the first segment where two patterns differ. */
function moreSpecific(a: string[], b: string[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const ra = a[i] === undefined ? 3 : rank(a[i]!);
    const rb = b[i] === undefined ? 3 : rank(b[i]!);
    if (ra !== rb) return ra < rb;
  }
  return false;
}

export function methodsByPath(routes: readonly { method: string; url: string; errorFormat: ErrorFormat }[]): (path: string) => PathMethods | undefined {
  const byUrl = new Map<string, Pattern>();
  for (const route of routes) {
    const known = byUrl.get(route.url) ?? { segments: route.url.split("/"), methods: [], errorFormat: route.errorFormat };
    // Fastify answers HEAD wherever it answers GET.
    for (const method of route.method === "GET" ? ["GET", "HEAD"] : [route.method]) if (!known.methods.includes(method)) known.methods.push(method);
    byUrl.set(route.url, known);
  }
  const patterns = [...byUrl.values()];
  return (path) => {
    const segments = path.split("/");
    // The router reads a path ending in a slash as the path without it (app.ts), and so does this.
    if (segments.length > 2 && segments.at(-1) === "") segments.pop();
    let best: Pattern | undefined;
    for (const pattern of patterns) if (matches(pattern.segments, segments) && (!best || moreSpecific(pattern.segments, best.segments))) best = pattern;
    return best && { methods: best.methods, errorFormat: best.errorFormat };
  };
}
