import cookie from "@fastify/cookie";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";
import { LazyRequestLogger, OneLinePerRequest } from "./request-log.ts";
import type { Instance } from "../instance.ts";
import { answerBeforeBody, notServed } from "./body-refusal.ts";
import { renderError, unroutedFormat } from "./error-rendering.ts";
import { registerSecurityHeaders, type SecurityHeaderSets } from "./security-headers.ts";
import { pageCSPDirectives } from "./page-csp.ts";
import { registerFormParser } from "./form-body.ts";
import { registerJsonParser } from "./json-body.ts";
import { OAuthError } from "./oauth/oauth-error.ts";
import { registerMetrics } from "./operability/metrics.ts";
import { registerRateLimits } from "./rate-limit.ts";
import { methodsAt, registerRoutes } from "./routes.ts";
import { bufferedStdout, loggerOptions, requestLinesLogged } from "../log.ts";
import { answerUnparsedRequest } from "./unparsed-request.ts";

/** Builds the HTTP application of an instance: parsing, security headers, routes, and one error renderer. */
export interface AppOptions {
  logger?: boolean;
  /** Where log lines go (default stdout); tests read them to prove no secret is logged. */
  logStream?: { write(line: string): void };
  /** Serve TLS with this key and certificate chain (PEM); see src/tls/server-tls.ts. */
  https?: { key: string; cert: string };
  /** The management listener, when it has a port of its own: /metrics is served there, not here. */
  management?: FastifyInstance;
}

export async function buildApp(instance: Instance, options: AppOptions = {}): Promise<FastifyInstance> {
  const stream = options.logger === false ? undefined : (options.logStream ?? bufferedStdout());
  let securityHeaders: SecurityHeaderSets = { common: {}, document: {} };
  const app = Fastify({
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert, minVersion: "TLSv1.2" as const } } : {}),
    logger: stream ? { ...loggerOptions(instance.config.logLevel), stream } : false,
    ...(stream ? { childLoggerFactory: (logger: unknown, bindings: Bindings, options: ChildLoggerOptions) => new LazyRequestLogger(logger as never, bindings, options) as never } : {}),
    logController: new OneLinePerRequest({ disableRequestLogging: !instance.config.requestLog, ...(stream && requestLinesLogged(instance.config.logLevel) ? { lines: stream } : {}) }),
    bodyLimit: instance.config.bodyLimit,
    // A request that reaches the server while it closes (SIGTERM, after the drain) is served,
    // with Connection: close: Fastify's default answered it a 503 in a body of its own, not this
    // API's, after the client had sent it on a connection still open.
    return503OnClosing: false,
    // Query strings carry state and PKCE values; a flood of parameters is refused, not parsed.
    // A path ending in a slash is the path without it, as on the platform: /api/now/table/incident/
    // is the collection for every method, where GET took the empty segment for a sys_id and POST found no route.
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // X-Forwarded-* are believed only from the proxies the operator named (--trust-proxy).
    trustProxy: instance.config.trustProxy,
    clientErrorHandler: clientErrorHandlerWith(() => securityHeaders),
    // A path that is not valid percent-encoding, or a parameter over maxParamLength, is refused
    // before routing, where no hook runs: the answer gets the security headers and the usual
    // format (the API envelope, or a page) here, not Fastify's own JSON.
    frameworkErrors: (error, request, reply) => {
      reply.headers(unroutedFormat(request) === "page" ? securityHeaders.document : securityHeaders.common);
      const tooLong = (error as { code?: string }).code === "FST_ERR_MAX_PARAM_LENGTH";
      renderError(new OAuthError("invalid_request", tooLong ? "a part of the path is too long" : "the path is not valid percent-encoded UTF-8", { status: tooLong ? 414 : 400 }), request, reply, instance);
    },
  }) as unknown as FastifyInstance;
  // Draining (SIGTERM): each answer closes its connection, so a keep-alive client (a load
  // balancer's pool) opens its next one elsewhere before the listener closes, instead of sending
  // into a connection closed under it.
  app.addHook("onRequest", (_request, reply, done) => {
    if (instance.lifecycle.draining) reply.header("connection", "close");
    done();
  });
  registerFormParser(app);
  registerJsonParser(app);
  await app.register(cookie);
  securityHeaders = registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      // No form-action here: browsers apply it to the redirect after consent, which goes to the
      // client; the login page sets its own, naming the client (page-csp.ts).
      directives: pageCSPDirectives,
    },
    frameguard: { action: "deny" },
    hsts: instance.config.publicUrl.startsWith("https:") ? { maxAge: 31536000 } : false,
    crossOriginResourcePolicy: false,
  });
  // RFC 9110 §15.5.6: a path served with other methods is a 405 naming them, in that path's own format.
  const refuseUnserved = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split("?")[0]!;
    const served = methodsAt(path);
    if (!served || served.methods.includes(request.method)) return renderError(new OAuthError("invalid_request", `no such resource: ${request.method} ${path}`, { status: 404 }), request, reply, instance);
    reply.header("allow", served.methods.join(", "));
    renderError(new OAuthError("invalid_request", `${request.method} is not allowed on ${path}; it answers ${served.methods.join(", ")}`, { status: 405 }), request, reply, instance, served.errorFormat);
  };
  app.setErrorHandler((error, request, reply) => {
    const checked = answerBeforeBody(instance, error, request, reply);
    if (!checked) return renderError(error, request, reply, instance);
    void checked.then((answer) => (answer === notServed ? refuseUnserved(request, reply) : renderError(answer, request, reply, instance)));
  });
  app.setNotFoundHandler(refuseUnserved);
  if (instance.config.metrics) registerMetrics(app, instance, options.management);
  registerRateLimits(app, instance);
  registerRoutes(app, instance);
  return app;
}

/**
 * Bytes the HTTP parser cannot read (a body sent without framing, say). Fastify's default
 * answers with a 400 even while a response to the same connection is under way, so a client
 * sees two answers and fails to parse the second; Node's own default, followed here, answers
 * only a connection that has no response in progress.
 */
function clientErrorHandlerWith(headerSets: () => SecurityHeaderSets) {
  return (error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) answerUnparsedRequest(socket, error.code, error.rawPacket, headerSets());
    socket.destroy(error);
  };
}
