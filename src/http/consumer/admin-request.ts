import type { FastifyReply, FastifyRequest } from "fastify";
import { ProviderError } from "../../consumer/provider-http.ts";
import type { OAuthProvider } from "../../domain/oauth-provider.ts";
import { asksForVersion, entityTag, MalformedPreconditionError, StaleRecordError } from "../../domain/record-version.ts";
import { isPlainObject } from "../../domain/record-input.ts";
import { NotFoundError, ValidationError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { findProvider } from "../../store/provider-store.ts";
import { authenticateBearer, type Principal } from "../oauth/bearer.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { checkBasicPassword, hasBasicCredentials } from "../identity/basic-auth.ts";
import { enforceLimit } from "../rate-limit.ts";
import { rolesOf } from "../../store/user-store.ts";

export interface AdminActor {
  /** Always a user's: what the APIs write names it as sys_created_by, sys_updated_by and the audit's user. */
  userName: string;
  roles: string[];
}

/**
 * The connection and pipeline APIs act for the instance: only an admin opens them, with a
 * bearer token or, as the platform's Table API allows, HTTP Basic (subject to the lockout).
 */
export async function requireAdmin(instance: Instance, request: FastifyRequest): Promise<AdminActor> {
  const header = request.headers.authorization ?? "";
  let actor: AdminActor;
  if (hasBasicCredentials(request)) {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    // Challenged with the scheme that was tried, as the Table API does: a Bearer challenge would name no credential the caller sent.
    const refuse = (message: string) => new OAuthError("invalid_token", message, { basicChallenge: true });
    if (colon < 0) {
      // No password to check, but a failed login all the same, counted against the address.
      await enforceLimit(instance, "login-ip", request.ip);
      throw refuse("malformed Basic credentials");
    }
    const login = await checkBasicPassword(instance, request.ip, decoded.slice(0, colon), decoded.slice(colon + 1));
    if (!login.ok) throw refuse(login.message);
    actor = { userName: login.user.userName, roles: await rolesOf(instance.store.db, login.user.sysId) };
  } else {
    const principal: Principal = await authenticateBearer(instance, request);
    // What these APIs write is recorded in the actor's name, and a client named like a user ("admin")
    // must not be recorded as that user (RFC 9700 §4.15): a client alone acts for no one here, as on the Table API.
    if (!principal.user) throw new OAuthError("insufficient_scope", "this token acts for no user; give the client a client_credentials_user with the admin role to use this API", { status: 403 });
    actor = { userName: principal.user.userName, roles: principal.roles };
  }
  if (!actor.roles.includes("admin")) throw new OAuthError("insufficient_scope", "this API needs a user with the admin role", { status: 403 });
  return actor;
}

export async function providerFromParams(instance: Instance, request: FastifyRequest): Promise<OAuthProvider> {
  const id = (request.params as { id?: string }).id ?? "";
  const provider = await findProvider(instance.store.db, decodeURIComponent(id));
  if (!provider) throw noProvider(id);
  return provider;
}

/** A provider `{id}` names none of: by sys_id or by name, as the APIs look it up. */
export function noProvider(id: string): NotFoundError {
  return new NotFoundError(`no provider has the sys_id or name "${id}"`);
}

/**
 * The body of an admin JSON API call, or an empty object when none was sent. A form body
 * (or any non-object) is refused in those words, not handed to the schema, which would list
 * URLSearchParams' methods as unknown fields.
 */
export function jsonObjectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (!isPlainObject(body)) throw new ValidationError([{ field: "", message: "the request body must be a JSON object, sent as Content-Type: application/json" }]);
  return body;
}

/**
 * Runs an API step and answers the failures it expects in the Table API envelope: bad input
 * 400, unknown record 404, a provider that refused or failed 502 (the fault is upstream), an
 * edit of a record that changed meanwhile 412 when `If-Match` named a version (409 when the edit
 * itself needed the version it read), with the current version as the ETag.
 */
export async function apiStep(reply: FastifyReply, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    const envelope = (status: number, message: string, detail: string, extra: Record<string, unknown> = {}) => void reply.code(status).header("cache-control", "no-store").send({ error: { message, detail, ...extra }, status: "failure" });
    // As the Table and Import APIs say it (error-rendering.ts): the code, then what was wrong.
    if (error instanceof ValidationError || error instanceof MalformedPreconditionError) return envelope(400, error.message, `invalid_request: ${error.message}`);
    if (error instanceof StaleRecordError) {
      reply.header("etag", entityTag(error.current.modCount));
      const ifMatch = reply.request.headers["if-match"];
      return asksForVersion(ifMatch) ? envelope(412, error.message, preconditionDetail(error, ifMatch!)) : envelope(409, error.message, conflictDetail(error));
    }
    if (error instanceof NotFoundError) return envelope(404, error.message, `not_found: ${error.message}`);
    // A secret key that cannot open what is stored is this instance's fault, not the provider's.
    // message_text: the message as a catalog text, as status_reason_text is, so a pipeline run words it in its reader's language.
    if (error instanceof ProviderError) return envelope(error.code === "no_token" ? 409 : error.code === "secret_key_mismatch" ? 503 : 502, error.message, error.code, { message_text: error.text });
    throw error;
  }
}

/** What a 412 refused: the versions If-Match named, and the one the record is at now. */
function preconditionDetail(error: StaleRecordError, ifMatch: string): string {
  const { modCount, updatedBy, updatedOn } = error.current;
  return `precondition_failed: If-Match: ${ifMatch.slice(0, 100)} names no version the record is at; it is now version ${modCount} (ETag "${modCount}"), saved by ${updatedBy} at ${updatedOn}, and nothing was changed`;
}

/** What a 409 met: an edit that needed the version it read, saved over by someone meanwhile. */
function conflictDetail(error: StaleRecordError): string {
  const { modCount, updatedBy, updatedOn } = error.current;
  return `conflict: ${updatedBy} saved the record at ${updatedOn} (now version ${modCount}) after this edit read it, and the edit needed the version it read; nothing was changed: read the record again and repeat the edit`;
}
