import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isStoreUnavailable, StoreUnavailableError } from "../store/availability.ts";
import { OAuthError } from "./oauth/oauth-error.ts";
import { errorPage } from "./ui/authorize-pages.tsx";

/** How a route reports failure: RFC 6749 JSON, the Table API envelope, or an HTML page. */
export type ErrorFormat = "oauth" | "api" | "page";

declare module "fastify" {
  interface FastifyContextConfig {
    errorFormat?: ErrorFormat;
  }
}

/** Fastify's own 4xx errors (bad JSON, unknown content type, body too large) are the client's mistake. */
function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof StoreUnavailableError || isStoreUnavailable(error)) return new OAuthError("temporarily_unavailable", "the instance's database is unavailable; try again shortly");
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const description =
      status === 413 ? "the request body is too large" : status === 415 ? "this content type is not accepted here" : `the request could not be read: ${fastifyError.message}`;
    return new OAuthError("invalid_request", description, { status: status === 413 ? 413 : 400 });
  }
  return new OAuthError("server_error", "the server could not complete the request", { detail: String((error as Error)?.stack ?? error) });
}

export function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const oauth = asOAuthError(error);
  if (oauth.status >= 500) request.log.error({ err: error }, "request failed");
  else if (oauth.options.detail) request.log.info({ reason: oauth.options.detail }, oauth.message);
  reply.code(oauth.status).header("cache-control", "no-store");
  if (oauth.options.retryAfter !== undefined) reply.header("retry-after", String(oauth.options.retryAfter));
  const format = request.routeOptions.config?.errorFormat ?? (request.url.startsWith("/api/") ? "api" : "page");

  if (oauth.code === "invalid_token" || (format === "api" && oauth.status === 401)) {
    const params = oauth.options.bare ? "" : `, error="${oauth.code}", error_description="${oauth.description.replace(/"/g, "'")}"`;
    reply.header("www-authenticate", `Bearer realm="portcullis"${params}`);
  } else if (oauth.code === "invalid_client" && oauth.options.basicChallenge) {
    reply.header("www-authenticate", 'Basic realm="portcullis"');
  }

  if (format === "oauth") return void reply.send(oauth.toJSON());
  if (format === "api") {
    const message = oauth.status === 401 ? "User Not Authenticated" : oauth.status >= 500 ? "Internal server error" : oauth.description;
    return void reply.send({ error: { message, detail: oauth.status >= 500 ? "" : `${oauth.code}: ${oauth.description}` }, status: "failure" });
  }
  reply.type("text/html; charset=utf-8").send(errorPage({ title: oauth.status >= 500 ? "Something went wrong" : "Request refused", message: capitalised(oauth.description) }));
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}
