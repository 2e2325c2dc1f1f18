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
    // As on the main listener (app.ts): /health/ is /health.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  app.addHook("onRequest", (_request, reply, done) => {
    reply.header("x-content-type-options", "nosniff");
    done();
  });
  app.get(paths.health, (request, reply) => liveness(instance, request, reply));
  app.get(paths.ready, (request, reply) => readiness(instance, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    reply.code(404).send({ error: { message: `no such resource on the management port: ${request.method} ${path}`, detail: `it answers GET ${paths.health}, ${paths.ready}${instance.config.metrics ? " and /metrics" : ""}` }, status: "failure" });
  });
  // Whatever fails here (a scrape the primary could not gather) is the server's, said without a stack.
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof OAuthError) return void reply.code(error.status).send({ error: { message: error.description, detail: null }, status: "failure" });
    // Fastify's own refusals of a client's request (a body it cannot parse, too large, of an unknown type) keep their 4xx.
    const status = (error as { statusCode?: number }).statusCode;
    const client = typeof status === "number" && status >= 400 && status < 500;
    reply.code(client ? status : 500).send({ error: { message: client ? (error as Error).message : "the management port could not answer", detail: null }, status: "failure" });
  });
  return app;
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
