import { sql } from "kysely";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";

/** GET /health — liveness: the process answers. Never touches the database, so a slow database does not get a node restarted. */
export function liveness(_instance: Instance, _request: FastifyRequest, reply: FastifyReply): void {
  reply.header("cache-control", "no-store").send({ status: "ok" });
}

/** GET /ready — readiness: the database answers within a second; 503 otherwise, so a load balancer routes around this node. */
export async function readiness(instance: Instance, _request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header("cache-control", "no-store");
  if (instance.lifecycle.draining) return void reply.code(503).send({ status: "draining", database: instance.store.dialect });
  const started = Date.now();
  try {
    await Promise.race([
      sql`select 1`.execute(instance.store.db),
      new Promise((_, reject) => setTimeout(() => reject(new Error("the database did not answer within 1 s")), 1000).unref()),
    ]);
    reply.send({ status: "ready", database: instance.store.dialect, latency_ms: Date.now() - started });
  } catch (error) {
    reply.code(503).send({ status: "unavailable", database: instance.store.dialect, reason: (error as Error).message.split("\n")[0] });
  }
}
