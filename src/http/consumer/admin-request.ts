import type { FastifyReply, FastifyRequest } from "fastify";
import { ProviderError } from "../../consumer/provider-http.ts";
import type { OAuthProvider } from "../../domain/oauth-provider.ts";
import { NotFoundError, ValidationError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { findProvider } from "../../store/provider-store.ts";
import { authenticateBearer, type Principal } from "../oauth/bearer.ts";
import { OAuthError } from "../oauth/oauth-error.ts";

/** The connection APIs act for the instance: only a bearer token of an admin opens them. */
export async function requireAdmin(instance: Instance, request: FastifyRequest): Promise<Principal> {
  const principal = await authenticateBearer(instance, request);
  if (!principal.roles.includes("admin")) throw new OAuthError("insufficient_scope", "this API needs a user with the admin role", { status: 403 });
  return principal;
}

export async function providerFromParams(instance: Instance, request: FastifyRequest): Promise<OAuthProvider> {
  const id = (request.params as { id?: string }).id ?? "";
  const provider = await findProvider(instance.store.db, decodeURIComponent(id));
  if (!provider) throw new NotFoundError(`no provider "${id}"`);
  return provider;
}

/**
 * Runs an API step and answers the failures it expects in the Table API envelope: bad input
 * 400, unknown record 404, a provider that refused or failed 502 (the fault is upstream).
 */
export async function apiStep(reply: FastifyReply, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const envelope = (status: number, message: string, detail: string) => void reply.code(status).header("cache-control", "no-store").send({ error: { message, detail }, status: "failure" });
    if (error instanceof ValidationError) return envelope(400, error.message, "invalid_request");
    if (error instanceof NotFoundError) return envelope(404, error.message, "not_found");
    if (error instanceof ProviderError) return envelope(error.code === "no_token" ? 409 : 502, error.message, error.code);
    throw error;
  }
}
