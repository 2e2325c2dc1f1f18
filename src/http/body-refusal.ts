import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../instance.ts";
import { requireAdmin } from "./consumer/admin-request.ts";
import { type ApiName, authenticateApi } from "./table-api/api-principal.ts";

/**
 * A route's own check of the caller, run as its handler runs it, for a route whose requests do
 * not all ask the same: a Scripted REST resource says itself whether it requires authentication.
 */
export type CredentialCheck = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The authentication a REST API route's handler runs first: an API's caller, an admin for Portcullis's own APIs, or the route's own check. */
export type RouteCredentials = ApiName | "admin" | CredentialCheck;

declare module "fastify" {
  interface FastifyContextConfig {
    credentials?: RouteCredentials;
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

function authenticate(instance: Instance, request: FastifyRequest, reply: FastifyReply, credentials: RouteCredentials): Promise<unknown> {
  if (credentials === "admin") return requireAdmin(instance, request);
  if (typeof credentials === "function") return credentials(instance, request, reply);
  return authenticateApi(instance, request, { api: credentials });
}

/**
 * Fastify reads a body before the handler, where the REST APIs authenticate, so a body it
 * refused (400, 413, 415) would be answered to a caller without credentials, telling it about a
 * request it may not make. On that refusal's path only, so a request that reaches its handler
 * pays nothing, the route's authentication runs first, and what it refuses (401, or 403) is the
 * answer. Undefined for any other error, which is answered as it is.
 */
export function credentialsBeforeBody(instance: Instance, error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined {
  const credentials = request.routeOptions.config?.credentials;
  if (credentials === undefined || !isBodyRefusal(error)) return undefined;
  return authenticate(instance, request, reply, credentials).then(
    () => error,
    (refused: unknown) => refused,
  );
}
