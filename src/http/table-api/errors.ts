import { QueryError } from "../../domain/encoded-query.ts";
import { MalformedPreconditionError, StaleRecordError } from "../../domain/record-version.ts";
import { NotFoundError, ValidationError } from "../../domain/validation.ts";
import { OAuthError } from "../oauth/oauth-error.ts";

/** The Table API's failures, rendered in its envelope by the one error handler. */
export const badRequest = (message: string) => new OAuthError("invalid_request", message);
export const notFound = (message: string) => new OAuthError("invalid_request", message, { status: 404 });
export const forbidden = (message: string) => new OAuthError("access_denied", message);

/**
 * Domain errors become the status the platform gives them: 400 for bad input, 404 for a missing
 * record; and, where a request named the version it edits (If-Match, which the platform does
 * not read), 412 when the record is no longer at it.
 */
export function asTableApiError(error: unknown): unknown {
  if (error instanceof ValidationError || error instanceof QueryError || error instanceof MalformedPreconditionError) return badRequest(error.message);
  if (error instanceof StaleRecordError) return new OAuthError("invalid_request", error.message, { status: 412 });
  if (error instanceof NotFoundError) return notFound(error.message);
  return error;
}
