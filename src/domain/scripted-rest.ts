import type { FieldIssue } from "./validation.ts";

/**
 * Scripted REST APIs as the platform names them: a definition (`sys_ws_definition`) owns the
 * base path `/api/{namespace}/{service_id}`, its resources (`sys_ws_operation`) add an HTTP
 * method and a relative path whose `{name}` segments are path parameters. Rules only, no I/O.
 */
export const httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof httpMethods)[number];

const identifier = /^[a-z][a-z0-9_-]{0,39}$/;
/** Namespaces the instance serves itself: a definition there would shadow or be shadowed by a built-in API. */
export const reservedNamespaces: readonly string[] = ["now", "portcullis"];

export function namespaceProblem(value: unknown): string | null {
  if (typeof value !== "string" || !identifier.test(value)) return "must be 1 to 40 lowercase letters, digits, _ or -, starting with a letter";
  if (reservedNamespaces.includes(value)) return `/api/${value}/ is a built-in path of the instance; choose another namespace`;
  return null;
}

export function serviceIdProblem(value: unknown): string | null {
  return typeof value === "string" && identifier.test(value) ? null : "must be 1 to 40 lowercase letters, digits, _ or -, starting with a letter";
}

export const baseUriOf = (namespace: string, serviceId: string) => `/api/${namespace}/${serviceId}`;

/** A path segment: a literal, or a parameter that matches any one segment. */
export type Segment = { literal: string } | { param: string };

const literalSegment = /^[A-Za-z0-9._~-]{1,100}$/;
const paramSegment = /^\{([A-Za-z_][A-Za-z0-9_]{0,39})\}$/;

/** Parses `/items/{id}/notes`; "/" (or "") is the API's root. Throws a message on bad syntax. */
export function parseRelativePath(path: string): Segment[] {
  if (path === "" || path === "/") return [];
  if (!path.startsWith("/") || path.endsWith("/") || path.length > 400) throw new Error('must be "/" or start with "/", not end with "/", and be at most 400 characters');
  const segments: Segment[] = [];
  const seen = new Set<string>();
  for (const part of path.slice(1).split("/")) {
    const param = paramSegment.exec(part);
    if (param) {
      if (seen.has(param[1]!)) throw new Error(`names the parameter {${param[1]}} twice`);
      seen.add(param[1]!);
      segments.push({ param: param[1]! });
    } else if (part === "." || part === "..") {
      // Clients resolve dot segments away (RFC 3986 §5.2.4), so such a path is never requested as written.
      throw new Error(`has the segment "${part}", which clients remove from a URL before sending it: write the path without it`);
    } else if (literalSegment.test(part)) segments.push({ literal: part });
    else throw new Error(`has a bad segment "${part.slice(0, 40)}": use letters, digits, . _ ~ - or {name}`);
  }
  return segments;
}

/** Two templates that match the same requests: parameter names do not matter. */
export function templateKey(segments: readonly Segment[]): string {
  return `/${segments.map((s) => ("literal" in s ? s.literal : "{}")).join("/")}`;
}

export interface OperationFields {
  name: unknown;
  http_method: unknown;
  relative_path: unknown;
  roles_required: unknown;
}

const roleList = /^[a-z0-9_.]+(,[a-z0-9_.]+)*$/;

export function operationProblems(op: OperationFields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (typeof op.http_method !== "string" || !(httpMethods as readonly string[]).includes(op.http_method)) issues.push({ field: "http_method", message: `must be one of ${httpMethods.join(", ")}` });
  try {
    parseRelativePath(String(op.relative_path ?? ""));
  } catch (error) {
    issues.push({ field: "relative_path", message: (error as Error).message });
  }
  const roles = String(op.roles_required ?? "");
  if (roles !== "" && !roleList.test(roles)) issues.push({ field: "roles_required", message: "must be a comma-separated list of role names" });
  return issues;
}

export function rolesOf(list: string): string[] {
  return list.split(",").map((r) => r.trim()).filter(Boolean);
}

/**
 * Matches request path segments against templates. Literals are more specific than
 * parameters, compared left to right, so `/items/new` wins over `/items/{id}` for "new".
 */
export function matchTemplate(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  // Without a prototype, so {__proto__} or {constructor} is a parameter like any other.
  const params: Record<string, string> = Object.create(null);
  for (const [i, segment] of segments.entries()) {
    if ("literal" in segment) {
      if (segment.literal !== parts[i]) return null;
    } else params[segment.param] = parts[i]!;
  }
  return params;
}

/** Negative when a is more specific than b. */
export function compareSpecificity(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const la = "literal" in a[i]!;
    const lb = "literal" in b[i]!;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

export interface Candidate<T> {
  segments: readonly Segment[];
  method: string;
  item: T;
}

export type Resolution<T> = { found: T; pathParams: Record<string, string> } | { notFound: true } | { methodNotAllowed: string[] };

/** The most specific resource whose path matches; 405 with the allowed methods when only the method is wrong. */
export function resolveOperation<T>(candidates: readonly Candidate<T>[], method: string, parts: readonly string[]): Resolution<T> {
  const matching = candidates
    .map((c) => ({ c, params: matchTemplate(c.segments, parts) }))
    .filter((m): m is { c: Candidate<T>; params: Record<string, string> } => m.params !== null)
    .sort((x, y) => compareSpecificity(x.c.segments, y.c.segments));
  if (matching.length === 0) return { notFound: true };
  const best = matching.find((m) => m.c.method === method);
  if (!best) return { methodNotAllowed: [...new Set(matching.map((m) => m.c.method))] };
  return { found: best.c.item, pathParams: best.params };
}
