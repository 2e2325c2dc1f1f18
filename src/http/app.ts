import cookie from "@fastify/cookie";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import type { Instance } from "../instance.ts";
import { renderError } from "./error-rendering.ts";
import { registerSecurityHeaders } from "./security-headers.ts";
import { registerFormParser } from "./form-body.ts";
import { registerJsonParser } from "./json-body.ts";
import { OAuthError } from "./oauth/oauth-error.ts";
import { registerMetrics } from "./operability/metrics.ts";
import { registerRateLimits } from "./rate-limit.ts";
import { registerRoutes } from "./routes.ts";
import { loggerOptions } from "../log.ts";

/** Builds the HTTP application of an instance: parsing, security headers, routes, and one error renderer. */
export interface AppOptions {
  logger?: boolean;
  /** Where log lines go (default stdout); tests read them to prove no secret is logged. */
  logStream?: { write(line: string): void };
  /** Serve TLS with this key and certificate chain (PEM); see src/tls/server-tls.ts. */
  https?: { key: string; cert: string };
}

export async function buildApp(instance: Instance, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert, minVersion: "TLSv1.2" as const } } : {}),
    logger: options.logger === false ? false : { ...loggerOptions(instance.config.logLevel), ...(options.logStream ? { stream: options.logStream } : {}) },
    logController: new LogController({ disableRequestLogging: !instance.config.requestLog }),
    bodyLimit: instance.config.bodyLimit,
    // Query strings carry state and PKCE values; a flood of parameters is refused, not parsed.
    routerOptions: { maxParamLength: 200 },
    // X-Forwarded-* are believed only from the proxies the operator named (--trust-proxy).
    trustProxy: instance.config.trustProxy,
  }) as unknown as FastifyInstance;
  registerFormParser(app);
  registerJsonParser(app);
  await app.register(cookie);
  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "https:", "data:"],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        // No form-action: browsers apply it to the redirect after consent, which goes to the client.
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    hsts: instance.config.publicUrl.startsWith("https:") ? { maxAge: 31536000 } : false,
    crossOriginResourcePolicy: false,
  });
  app.setErrorHandler((error, request, reply) => renderError(error, request, reply));
  app.setNotFoundHandler((request, reply) => renderError(new OAuthError("invalid_request", `no such resource: ${request.method} ${request.url.split("?")[0]}`, { status: 404 }), request, reply));
  if (instance.config.metrics) registerMetrics(app, instance);
  registerRateLimits(app, instance);
  registerRoutes(app, instance);
  return app;
}
