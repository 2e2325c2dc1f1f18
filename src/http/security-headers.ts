import helmet, { type HelmetOptions } from "helmet";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Security headers in two sets, both worked out once at start-up. Every response gets the
 * ones that matter to any content (OWASP's REST Security Cheat Sheet): not frameable, not
 * sniffed, HSTS over https, and a CSP of `default-src 'none'`, since JSON loads nothing. An
 * HTML page gets helmet's whole set instead, with the page CSP (unless its route set its own).
 * helmet's document-only headers (opener policy, referrer policy, DNS prefetch…) on every JSON
 * answer were a third of its bytes, and writing them a visible share of an API call's CPU.
 * @fastify/helmet is not used: it builds a new helmet middleware on every request.
 */
/** Both sets, for answers given where no hook runs: `common` for JSON, `document` for a page. */
export interface SecurityHeaderSets {
  common: Record<string, string>;
  document: Record<string, string>;
}

export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): SecurityHeaderSets {
  const document = helmetHeaders(options);
  const common: Record<string, string> = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": document["x-frame-options"] ?? "DENY",
    ...(document["strict-transport-security"] ? { "strict-transport-security": document["strict-transport-security"] } : {}),
  };
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(common);
    done();
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    const type = reply.getHeader("content-type");
    if (typeof type === "string" && type.startsWith("text/html")) {
      const policy = reply.getHeader("content-security-policy");
      reply.headers(policy === common["content-security-policy"] ? document : { ...document, "content-security-policy": policy });
    }
    done(null, payload);
  });
  return { common, document };
}

/** Runs helmet's middleware once against a response that only records what it was given. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const recorded: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (recorded[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete recorded[name.toLowerCase()],
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response, (error?: unknown) => void (failure = error));
  if (failure) throw failure;
  return recorded;
}
