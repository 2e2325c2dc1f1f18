import type { FastifyInstance } from "fastify";
import client from "prom-client";
import type { Instance } from "../../instance.ts";
import cluster from "node:cluster";
import { clusterMetrics, shareWithPrimary } from "./cluster-metrics.ts";
import { RequestTally } from "./request-tally.ts";
import { OAuthError } from "../oauth/oauth-error.ts";

/**
 * Prometheus metrics for one app: requests by route and status, latency, tokens issued and
 * revoked, and the PostgreSQL pool. A registry per app keeps several apps in one process apart.
 * Requests are counted on `app`; /metrics is answered on `servedOn`, the management listener
 * when the operator gave it a port of its own (src/http/operability/management-app.ts).
 */
export function registerMetrics(app: FastifyInstance, instance: Instance, servedOn: FastifyInstance = app): void {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "portcullis_" });
  const tally = new RequestTally([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  new client.Counter({
    name: "portcullis_http_requests_total",
    help: "HTTP requests by route, method and status",
    labelNames: ["route", "method", "status"],
    registers: [registry],
    collect() {
      tally.flushInto(this);
    },
  });
  registry.registerMetric(tally.histogram("portcullis_http_request_duration_seconds", "HTTP request latency by route"));
  const issuedByGrant = new Map<string, number>();
  new client.Counter({
    name: "portcullis_oauth_token_requests_succeeded_total",
    help: "Successful token endpoint requests by grant type",
    labelNames: ["grant_type"],
    registers: [registry],
    collect() {
      for (const [grantType, n] of issuedByGrant) if (n > 0) this.inc({ grant_type: grantType }, n);
      issuedByGrant.clear();
    },
  });
  const revoked = new client.Counter({ name: "portcullis_oauth_revocation_requests_total", help: "Revocation requests answered 200", registers: [registry] });
  const pool = (instance.store as { pool?: { totalCount: number; idleCount: number; waitingCount: number } }).pool;
  if (pool) {
    new client.Gauge({
      name: "portcullis_db_pool_connections",
      help: "PostgreSQL pool connections by state",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        this.set({ state: "total" }, pool.totalCount);
        this.set({ state: "idle" }, pool.idleCount);
        this.set({ state: "waiting" }, pool.waitingCount);
      },
    });
  }

  // A callback hook, not an async one: no promise per request for counting it.
  app.addHook("onResponse", (request, reply, done) => {
    // Unmatched URLs share one label, so random paths cannot blow up the series count.
    const route = request.routeOptions.url ?? "unmatched";
    tally.record(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.statusCode === 200) {
      if (route === "/oauth_token.do" && request.body instanceof URLSearchParams) {
        // Only a grant type the endpoint answered 200 reaches here, so the label set stays small.
        const grantType = request.body.get("grant_type") ?? "";
        issuedByGrant.set(grantType, (issuedByGrant.get(grantType) ?? 0) + 1);
      }
      if (route === "/oauth_revoke_token.do") revoked.inc();
    }
    done();
  });

  // Under --workers every worker's counts go into one answer (src/http/operability/cluster-metrics.ts).
  const inCluster = cluster.isWorker && typeof process.send === "function";
  if (inCluster) shareWithPrimary(registry);
  servedOn.get("/metrics", { config: { errorFormat: "api" } }, async (_request, reply) => {
    const text = inCluster ? await clusterMetrics().catch((error: Error) => Promise.reject(new OAuthError("temporarily_unavailable", error.message, { status: 503 }))) : await registry.metrics();
    reply.header("content-type", registry.contentType).send(text);
  });
}
