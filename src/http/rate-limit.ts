import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Instance } from "../instance.ts";
import type { RouteCheck } from "./body-refusal.ts";
import type { GateHit } from "../store/group-commit.ts";
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
export function enforceLimit(instance: Instance, kind: LimitKind, key: string, now = Date.now()): Promise<void> {
  return enforceLimits(instance, [[kind, key]], now);
}

/**
 * Counts a request against several limits at once; past any of them it is refused with 429.
 * Hits counted in the same turn share one write transaction (see countHitGrouped), so counting
 * an address and a client together costs one commit, not two one after the other.
 */
export async function enforceLimits(instance: Instance, hits: readonly (readonly [LimitKind, string])[], now = Date.now()): Promise<void> {
  return pendingLimits(instance, hits, now).enforce();
}

/**
 * A request's hits, not yet counted: counted by `enforce`, or by a write that counts them beside
 * what it writes (client_credentials on SQLite: src/store/group-commit.ts's
 * issueTokensWithinLimits), which then calls `countedBy`. Either way exactly once.
 */
export interface PendingLimits {
  /** The buckets with their current windows and limits (disabled limits left out). */
  readonly hits: readonly GateHit[];
  readonly counted: boolean;
  /** Counts the hits; past any limit, throws the 429. */
  enforce(): Promise<void>;
  /** Records that a write counted the hits: `withinLimits` false gives the 429 to throw. */
  countedBy(withinLimits: boolean): OAuthError | undefined;
}

export function pendingLimits(instance: Instance, hits: readonly (readonly [LimitKind, string])[], now = Date.now()): PendingLimits {
  const windowStart = now - (now % windowMs);
  const gateHits = hits.flatMap(([kind, key]) => {
    const limit = limits[kind](instance);
    return limit === 0 ? [] : [{ bucket: `${kind}:${key}`, windowStart, limit }];
  });
  let counted = false;
  return {
    hits: gateHits,
    get counted() {
      return counted;
    },
    async enforce() {
      counted = true;
      const counts = await Promise.all(gateHits.map((hit) => countHitGrouped(instance.store, hit.bucket, windowMs, now)));
      if (gateHits.some((hit, i) => counts[i]! > hit.limit)) throw tooMany(now);
    },
    countedBy(withinLimits) {
      counted = true;
      return withinLimits ? undefined : tooMany(now);
    },
  };
}

/** The 429 of a spent limit, with the seconds until its window ends as Retry-After. */
export function tooMany(now: number): OAuthError {
  const retryAfter = Math.ceil((windowMs - (now % windowMs)) / 1000);
  return new OAuthError("temporarily_unavailable", `too many requests; try again in ${retryAfter} seconds`, { status: 429, retryAfter });
}

/** How many more requests `kind` allows `key` in the current window, without counting one (Infinity when the limit is off). */
export async function allowanceLeft(instance: Instance, kind: LimitKind, key: string, now = Date.now()): Promise<number> {
  const limit = limits[kind](instance);
  return limit === 0 ? Infinity : limit - (await currentHits(instance.store.db, `${kind}:${key}`, windowMs, now));
}

/**
 * An address's limit as a route's check before its body (body-refusal.ts). A body the parser
 * refuses (malformed JSON, a compressed or oversized one) never reaches the handler or a
 * preHandler, so it would be answered its 400, 413 or 415 uncounted, even to an address past its
 * limit; run on that refusal's path only, this counts it as any request and answers the 429 first.
 */
export function addressLimitBeforeBody(kind: LimitKind): RouteCheck {
  return async (instance, request) => {
    await enforceLimit(instance, kind, request.ip);
    return undefined;
  };
}

/** Routes configured with `rateLimitByIp` count each request; others carry no hook at all (register before the routes). */
export function registerRateLimits(app: FastifyInstance, instance: Instance): void {
  app.addHook("onRoute", (route) => {
    const kind = route.config?.rateLimitByIp;
    if (!kind) return;
    const limit = async (request: FastifyRequest) => enforceLimit(instance, kind, request.ip);
    // First, before the handler authenticates the client: the limit guards that check, so it must not wait for it.
    route.preHandler = [limit, ...(route.preHandler === undefined ? [] : [route.preHandler].flat())];
  });
}
