import helmet, { type HelmetOptions } from "helmet";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * helmet's headers, worked out once at start-up and set on every response. @fastify/helmet
 * builds a new helmet middleware, directives parsed and all, on every request: on the token
 * endpoint that was a visible share of each request's CPU, for headers that never change.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const headers = helmetHeaders(options);
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
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
