import Fastify, { type FastifyInstance } from "fastify";
import type { Instance } from "../../instance.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { paths } from "../paths.ts";
import { liveness, readiness } from "./health.ts";

/**
 * The management listener (`--management-port`): /metrics, /health and /ready on a port of their
 * own, as Keycloak's management interface and Hydra's admin port do, so the Prometheus scraper and
 * the orchestrator's probes reach them while the public port, the one clients and the internet
 * see, does not answer /metrics at all. It serves TLS when the instance does (the same
 * certificate), and keeps no request log: a scrape every 15 s would bury the log in lines no one
 * reads.
 */
export function buildManagementApp(instance: Instance, https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    ...(https ? { https: { key: https.key, cert: https.cert, minVersion: "TLSv1.2" as const } } : {}),
    logger: false,
    // As on the main listener (app.ts): a probe that reaches it while it closes is answered, not Fastify's 503.
    return503OnClosing: false,
    // As on the main listener (app.ts): /health/ is /health.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  app.addHook("onRequest", (_request, reply, done) => {
    reply.header("x-content-type-options", "nosniff");
    done();
  });
  app.get(paths.health, (request, reply) => liveness(instance, request, reply));
  app.get(paths.ready, (request, reply) => readiness(instance, request, reply));
  const answered = `GET ${paths.health}, ${paths.ready}${instance.config.metrics ? " and /metrics" : ""}`;
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    reply.code(404).send({ error: { message: `no such resource on the management port: ${request.method} ${path}`, detail: `it answers ${answered}` }, status: "failure" });
  });
  // Whatever fails here (a scrape the primary could not gather) is the server's, said without a stack.
  app.setErrorHandler((error, request, reply) => {
    const asked = `${request.method} ${request.url.split("?")[0]!}`;
    if (error instanceof OAuthError) return void reply.code(error.status).send({ error: { message: error.description, detail: oauthDetail(error, asked) }, status: "failure" });
    // Fastify's own refusals of a client's request (a body it cannot parse, too large, of an unknown type) keep their 4xx.
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      const detail = `${asked} was refused before any route read it (${status === 413 ? "its body is too large" : "its body or URL could not be read"}); the management port answers ${answered}, none of which takes a body`;
      return void reply.code(status).send({ error: { message: (error as Error).message, detail }, status: "failure" });
    }
    const detail = `${asked} failed on the server's side, not for anything in the request; ${paths.health} tells whether the process answers and ${paths.ready} whether its database does`;
    reply.code(500).send({ error: { message: "the management port could not answer", detail }, status: "failure" });
  });
  return app;
}

/**
 * The sentence under an OAuthError's message (a cluster scrape the primary did not answer in
 * time, so far): a 503 is passing, so the scraper is told to come back; anything else gets the
 * code and description, as the Table API's envelope gives them.
 */
function oauthDetail(error: OAuthError, asked: string): string {
  if (error.status === 503) return `${asked} could not be answered for now (${error.code}); try again shortly, as the next scrape will`;
  return `${error.code}: ${error.description}`;
}

/** Where the management listener answers, as the operator would type it. */
export function managementUrl(host: string, port: number, https: boolean): string {
  return `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The port a listener really got (0 asks the system for one). */
export function listenedPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : 0;
}
