import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../instance.ts";
import { requireAdmin } from "./consumer/admin-request.ts";
import { type ApiName, authenticateApi } from "./table-api/api-principal.ts";

/** A check's answer for a path or method no route serves: the not-found handler's 404, or 405 with Allow. */
export const notServed = Symbol("not served");

/**
 * A route's own check, run as its handler runs it, for a route whose requests do not all ask
 * the same: a Scripted REST resource says itself whether it requires authentication, and a
 * method a POST-only endpoint does not take is refused whatever it sent.
 */
export type RouteCheck = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<typeof notServed | undefined>;

/**
 * What a route's handler refuses before it reads a body: an API's caller without credentials,
 * anyone but an admin on Portcullis's own APIs, or what the route's own check refuses.
 */
export type BeforeBody = ApiName | "admin" | RouteCheck;

declare module "fastify" {
  interface FastifyContextConfig {
    beforeBody?: BeforeBody;
  }
}

const refusals = new WeakSet<Error>();

/** Marks an error as a body parser's refusal: made before the route's handler, and so its authentication, ran. */
export function bodyRefusal(error: Error): Error {
  refusals.add(error);
  return error;
}

function isBodyRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Fastify's own refusals while it reads a body: too large, an invalid Content-Type or Content-Length.
  return refusals.has(error) || String((error as { code?: unknown }).code).startsWith("FST_ERR_CTP_");
}

async function check(instance: Instance, request: FastifyRequest, reply: FastifyReply, beforeBody: BeforeBody): Promise<typeof notServed | undefined> {
  if (beforeBody === "admin") await requireAdmin(instance, request);
  else if (typeof beforeBody === "function") return beforeBody(instance, request, reply);
  else await authenticateApi(instance, request, { api: beforeBody });
  return undefined;
}

/**
 * What a route refuses before its body, for an answer that must not come first, as a 406 must
 * not (routes.ts): resolves when the request passes, rejects with the refusal (401, 403) when not.
 */
export function checkBeforeBody(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<typeof notServed | undefined> {
  const beforeBody = request.routeOptions.config?.beforeBody;
  return beforeBody === undefined ? Promise.resolve(undefined) : check(instance, request, reply, beforeBody);
}

/**
 * Fastify reads a body before the handler, where the REST APIs authenticate, so a body it
 * refused (400, 413, 415) would be answered to a caller without credentials, telling it about a
 * request it may not make; and it reads the body of a request no route serves too, so a bad one
 * got the parser's 400 where a good one gets the 404 or 405. On that refusal's path only, so a
 * request that reaches its handler pays nothing, what comes before the body is checked first,
 * and what it refuses (404 or 405 as `notServed`, 401, 403) is the answer. Undefined for any
 * other error, which is answered as it is.
 */
export function answerBeforeBody(instance: Instance, error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined {
  if (!isBodyRefusal(error)) return undefined;
  if (request.is404) return Promise.resolve(notServed);
  const beforeBody = request.routeOptions.config?.beforeBody;
  if (beforeBody === undefined) return undefined;
  return check(instance, request, reply, beforeBody).then(
    (outcome) => outcome ?? error,
    (refused: unknown) => refused,
  );
}
