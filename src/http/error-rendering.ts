import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { translator, type Translator } from "../i18n/translator.ts";
import type { Instance } from "../instance.ts";
import { isStoreUnavailable, StoreUnavailableError, unavailableCause } from "../store/availability.ts";
import { requestTranslator, varyByLanguage } from "./i18n/request-locale.ts";
import { acceptedBearerToken } from "./oauth/bearer.ts";
import { OAuthError, wireDescription } from "./oauth/oauth-error.ts";
import { unsupportedMediaType } from "./request-media-types.ts";
import { errorPage } from "./ui/authorize-pages.tsx";

/** How a route reports failure: RFC 6749 JSON, the Table API envelope, or an HTML page. */
export type ErrorFormat = "oauth" | "api" | "page";

declare module "fastify" {
  interface FastifyContextConfig {
    errorFormat?: ErrorFormat;
  }
}

/** Fastify's own 4xx errors (bad JSON, unknown content type, body too large) are the client's mistake. */
function asOAuthError(error: unknown, request: FastifyRequest, format: ErrorFormat): OAuthError {
  if (error instanceof OAuthError) return error;
  // Node's "aborted" (ECONNRESET) for a client that hung up mid-body is its connection, not the
  // database's: it was logged as "database unavailable", a false outage, and answered 503 to no one.
  if ((error as NodeJS.ErrnoException)?.code === "ECONNRESET" && request.raw.destroyed) return new OAuthError("invalid_request", "the client closed the connection before its request was read");
  if (error instanceof StoreUnavailableError || isStoreUnavailable(error)) return new OAuthError("temporarily_unavailable", "the instance's database is unavailable; try again shortly");
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // The OAuth endpoints (RFC 6749 §5.2) and the pages keep their 400 for a body that is not a form.
    if (status === 415 && format === "api") return unsupportedMediaType(request);
    const description =
      status === 413 ? "the request body is too large" : status === 415 ? "this content type is not accepted here" : `the request could not be read: ${fastifyError.message}`;
    return new OAuthError("invalid_request", description, { status: status === 413 ? 413 : 400 });
  }
  return new OAuthError("server_error", "the server could not complete the request", { detail: String((error as Error)?.stack ?? error) });
}

/** RFC 6750 §3: the description as a quoted-string RFC 6749's character set allows, so it needs no escapes. */
function bearerChallenge(code: string, description: string): string {
  return `Bearer realm="portcullis", error="${code}", error_description="${wireDescription(description)}"`;
}

/** A page in the reader's language: the cause's own words stay for a refusal the reader can act on. */
function pageFor(oauth: OAuthError, request: FastifyRequest, i18n: Translator): string {
  const { t } = i18n;
  if (oauth.status === 404) return errorPage({ i18n, title: t("errorPage.notFoundTitle"), message: t("errorPage.notFound", { path: request.url.split("?")[0]! }) });
  // temporarily_unavailable is also a rate limit's 429, which the reader can act on in its own words below.
  if (oauth.status >= 500) return errorPage({ i18n, title: t("errorPage.failedTitle"), message: t(oauth.code === "temporarily_unavailable" ? "errorPage.unavailable" : "errorPage.failed") });
  return errorPage({ i18n, title: t("refused.title"), message: capitalised(oauth.description) });
}

/** How a request no route took is answered: the API envelope under /api/, a page elsewhere. */
export function unroutedFormat(request: FastifyRequest): ErrorFormat {
  return request.url.startsWith("/api/") ? "api" : "page";
}

/** `formatOfPath`: the format of the routes serving the path, for its 404 or 405, whichever route took the request. */
export function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply, instance?: Instance, formatOfPath?: ErrorFormat): void {
  const format = formatOfPath ?? request.routeOptions.config?.errorFormat ?? unroutedFormat(request);
  const oauth = asOAuthError(error, request, format);
  // The database away is an outage, not a defect: one short warning with its cause, not an error
  // with a stack for every request it turns away (an outage under load filled the log with them).
  if (oauth.status === 503 && (error instanceof StoreUnavailableError || isStoreUnavailable(error))) request.log.warn({ cause: unavailableCause(error) }, "database unavailable");
  else if (oauth.status >= 500) request.log.error({ err: error }, "request failed");
  else if (oauth.options.detail) request.log.info({ reason: oauth.options.detail }, oauth.message);
  reply.code(oauth.status).header("cache-control", "no-store");
  if (oauth.options.retryAfter !== undefined) reply.header("retry-after", String(oauth.options.retryAfter));

  if (oauth.options.basicChallenge && oauth.status === 401) {
    reply.header("www-authenticate", 'Basic realm="portcullis"');
  } else if (oauth.status === 403 && acceptedBearerToken(request)) {
    // RFC 6750 §3: a token that does not open what it asked for is challenged too, and §3.1 names that insufficient_scope.
    reply.header("www-authenticate", bearerChallenge("insufficient_scope", oauth.description));
  } else if (oauth.code === "invalid_token" || oauth.options.bearerChallenge || (format === "api" && oauth.status === 401)) {
    reply.header("www-authenticate", oauth.options.bare ? 'Bearer realm="portcullis"' : bearerChallenge(oauth.code, oauth.description));
  }

  if (format === "oauth") return void reply.send(oauth.toJSON());
  if (format === "api") {
    // A 503 (the database away, a drain) is not an internal error, and a client that retries needs to know which it got.
    const message = oauth.status === 401 ? "User Not Authenticated" : oauth.status === 503 ? "Service unavailable" : oauth.status >= 500 ? "Internal server error" : oauth.description;
    // A failed HTTP Basic login is not a bearer token's fault: its detail names no OAuth code.
    // A 503's words are fixed ("try again shortly"), so a client is told what to do; a 500's cause stays in the log.
    const detail = oauth.status === 503 ? oauth.description : oauth.status >= 500 ? "" : oauth.options.basicChallenge ? oauth.description : `${oauth.code}: ${oauth.description}`;
    return void reply.send({ error: { message, detail }, status: "failure" });
  }
  if (instance) varyByLanguage(reply);
  reply.type("text/html; charset=utf-8").send(pageFor(oauth, request, instance ? requestTranslator(instance, request) : translator("en")));
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}
