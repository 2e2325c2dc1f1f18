import type { FastifyInstance, FastifyRequest } from "fastify";
import { bodyEncodingError } from "./body-encoding.ts";
import { bodyRefusal } from "./body-refusal.ts";
import { OAuthError } from "./oauth/oauth-error.ts";

/**
 * A form body as its parameters, each value kept as sent. URLSearchParams exposes repeated
 * parameters, which RFC 6749 §3.1 and §3.2 say to reject.
 */
export type FormParams = URLSearchParams;

export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (request, body, done) => {
    // Forms are percent-encoded ASCII: Java's HttpClient labels them charset=ISO-8859-1, harmlessly.
    const refused = bodyEncodingError(request.headers, { charset: false });
    if (refused) return done(bodyRefusal(refused), undefined);
    done(null, new URLSearchParams(body as string));
  });
}

/** The form the request carried, or an invalid_request naming what was wrong. */
export function requireForm(request: FastifyRequest): FormParams {
  if (!(request.body instanceof URLSearchParams)) {
    throw new OAuthError("invalid_request", "the request body must be application/x-www-form-urlencoded");
  }
  return request.body;
}

/** Reads parameters that may each appear at most once; unknown parameters are ignored (RFC 6749 §3.1). */
export function singleValued<K extends string>(form: FormParams, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const values = form.getAll(name);
    if (values.length > 1) throw new OAuthError("invalid_request", `the parameter ${name} was sent more than once`);
    // URLSearchParams turns bytes that are not UTF-8 (%ff) into U+FFFD; such a value is malformed, not a value to echo back.
    if (values[0]?.includes("\uFFFD")) throw new OAuthError("invalid_request", `the parameter ${name} is not valid percent-encoded UTF-8`);
    // An empty value counts as absent (RFC 6749 §3.1).
    if (values.length === 1 && values[0] !== "") out[name] = values[0];
  }
  return out;
}
