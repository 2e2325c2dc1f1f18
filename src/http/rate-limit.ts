import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Instance } from "../instance.ts";
import { countHitGrouped } from "../store/grouped-hits.ts";
import { currentHits } from "../store/rate-limit-store.ts";
import { OAuthError } from "./oauth/oauth-error.ts";

const windowMs = 60_000;

/** What is limited, per minute, and by which setting. */
const limits = {
  "token-ip": (instance: Instance) => instance.config.rateLimitTokenPerIp,
  "token-client": (instance: Instance) => instance.config.rateLimitTokenPerClient,
  "login-ip": (instance: Instance) => instance.config.rateLimitLoginPerIp,
} as const;

export type LimitKind = keyof typeof limits;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Routes that count each request against the caller's address. */
    rateLimitByIp?: LimitKind;
  }
}

/** Counts a request against `kind` for `key`; past the limit it is refused with 429 and Retry-After. */
export async function enforceLimit(instance: Instance, kind: LimitKind, key: string, now = Date.now()): Promise<void> {
  const limit = limits[kind](instance);
  if (limit === 0) return;
  const count = await countHitGrouped(instance.store, `${kind}:${key}`, windowMs, now);
  if (count > limit) {
    const retryAfter = Math.ceil((windowMs - (now % windowMs)) / 1000);
    throw new OAuthError("temporarily_unavailable", `too many requests; try again in ${retryAfter} seconds`, { status: 429, retryAfter });
  }
}

/** Refuses with 429 when `kind` is already used up for `key`, without counting this request (only failures count). */
export async function refuseIfOverLimit(instance: Instance, kind: LimitKind, key: string, now = Date.now()): Promise<void> {
  const limit = limits[kind](instance);
  if (limit === 0 || (await currentHits(instance.store.db, `${kind}:${key}`, windowMs, now)) < limit) return;
  const retryAfter = Math.ceil((windowMs - (now % windowMs)) / 1000);
  throw new OAuthError("temporarily_unavailable", `too many requests; try again in ${retryAfter} seconds`, { status: 429, retryAfter });
}

export function registerRateLimits(app: FastifyInstance, instance: Instance): void {
  app.addHook("preHandler", async (request: FastifyRequest) => {
    const kind = request.routeOptions.config?.rateLimitByIp;
    if (kind) await enforceLimit(instance, kind, request.ip);
  });
}
