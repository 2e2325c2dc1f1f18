import { randomBytes } from "node:crypto";
import type { ConsumerGrant, OAuthProvider } from "../domain/oauth-provider.ts";
import { type StoredText, verbatim } from "../i18n/stored-text.ts";
import type { Instance } from "../instance.ts";
import { leaseState, markRequestFailed, type ObtainedToken, readObtainedToken, type RequestBasis, saveObtainedToken, type TokenResponseFields, tryTakeRefreshLease } from "../store/obtained-token-store.ts";
import { ProviderError, providerTimeoutMs } from "./provider-http.ts";
import { providerStillSendsTo } from "../store/provider-store.ts";
import { instanceSecretBox } from "./secret-box.ts";
import { requestToken, staleProvider } from "./token-request.ts";

/** This process, as a lease holder; other processes (nodes) have their own. */
const holder = `${process.pid}-${randomBytes(6).toString("hex")}`;
/** Longer than one token request can take, so a lease only lapses when its holder died. */
const leaseMs = providerTimeoutMs + 5_000;
const pollMs = 50;

type DirectGrant = Exclude<ConsumerGrant, "authorization_code">;

/**
 * Gets a token with a grant that needs no browser, and stores it as the connection's token. A
 * refusal marks the token still held unhealthy, saying why and when: it was "healthy" while its
 * client secret was refused, and would only show when that token ran out. Not a password grant's
 * invalid_grant: that refused the user's password, typed for this one request, not the connection.
 */
export async function obtainToken(instance: Instance, provider: OAuthProvider, grant: DirectGrant, login?: { username: string; password: string }): Promise<void> {
  if (grant === "password" && !login) throw new ProviderError({ key: "providerError.passwordNeedsLogin" }, "invalid_request");
  const db = instance.store.db;
  const held = await leaseState(db, provider.sysId);
  const basis = held && (await requestBasis(instance, provider, held.generation));
  try {
    await requestAndStore(instance, provider, grant, login);
  } catch (error) {
    const failsConnection = error instanceof ProviderError && error.code !== "provider_changed" && !(grant === "password" && error.code === "invalid_grant");
    if (basis && failsConnection) await markRequestFailed(db, provider.sysId, basis, { key: "providerError.tokenRequestFailed", values: { grant, reason: error.text } });
    throw error;
  }
}

/**
 * What a request about to go out is sent with, for markRequestFailed; none when the record no
 * longer sends tokens where `provider` did. The request reads the secret again just after: an
 * edit in between leaves its refusal unmarked, and the next request judges the new one.
 */
async function requestBasis(instance: Instance, provider: OAuthProvider, generation: number): Promise<RequestBasis | undefined> {
  const sentWith = await providerStillSendsTo(instance.store.db, provider);
  return sentWith && { generation, clientId: provider.clientId, tokenUrl: provider.tokenUrl, clientSecretEnc: sentWith.clientSecretEnc };
}

async function requestAndStore(instance: Instance, provider: OAuthProvider, grant: DirectGrant, login?: { username: string; password: string }): Promise<void> {
  const params: Record<string, string> = { grant_type: grant };
  if (grant === "password" && login) {
    params.username = login.username;
    params.password = login.password;
  }
  if (provider.scope) params.scope = provider.scope;
  await storeObtained(instance, provider, grant, await requestToken(instance, provider, params));
}

/** Stores what `provider` (as read before the request) answered; refused when the record has since changed where tokens go. */
export async function storeObtained(instance: Instance, provider: OAuthProvider, grant: string, fields: TokenResponseFields): Promise<void> {
  if (!(await saveObtainedToken(instance.store.db, instanceSecretBox(instance), provider, grant, fields))) throw new ProviderError(staleProvider(provider), "provider_changed");
}

/** The token as stored, refreshed or not: what a check that changes nothing sends. */
export async function storedAccessToken(instance: Instance, provider: OAuthProvider): Promise<string> {
  const token = await readObtainedToken(instance.store.db, instanceSecretBox(instance), provider.sysId);
  if (!token?.accessToken) throw new ProviderError({ key: "providerError.noToken", values: { name: provider.name } }, "no_token");
  return token.accessToken;
}

const unhealthy = (provider: OAuthProvider, reason: StoredText | null) => new ProviderError({ key: "providerError.unhealthy", values: { name: provider.name, reason: reason ?? "" } }, "unhealthy");

/**
 * When a token is refreshed ahead of its expiry: the configured skew before it, but never
 * earlier than half its lifetime. A token that lives no longer than the skew (60 s, the
 * shortest lifespan a Portcullis client may give) was otherwise never fresh: every call refreshed it.
 */
function refreshFrom(expiresAt: number, obtainedAt: number, skewMs: number): number {
  return expiresAt - Math.min(skewMs, Math.max(0, expiresAt - obtainedAt) / 2);
}

/**
 * How long after a refused refresh or token request the next refresh waits. A call still tries
 * again after it, a 401 included, so a provider fixed meanwhile (a client activated again) is
 * noticed within half a minute rather than when the token runs out; one that keeps refusing gets
 * at most two refused requests a minute per connection, from every node together (failed_at is
 * in the database): far below a token endpoint's limits (Portcullis allows 1 200 token requests
 * per client a minute), and shorter than the shortest lifetime a Portcullis client issues (60 s).
 */
export const refreshRetryMs = 30_000;

function waitingToRetry(token: ObtainedToken, now = Date.now()): boolean {
  return token.status === "unhealthy" && token.failedAt !== null && now - token.failedAt < refreshRetryMs;
}

/** Whether the connection's reason says the provider refused the token held (a 401) and the refresh that followed failed too. */
export function heldTokenRefused(reason: StoredText | null): boolean {
  return reason?.key === "providerError.refreshFailedTokenRefused";
}

const inFlight = new Map<string, Promise<string>>();

/** A token a failed early refresh may still fall back on: not yet expired, and not the one the provider just refused. */
function stillUsable(token: { accessToken: string | null; expiresAt: number | null }, stale: string | undefined): string | null {
  if (!token.accessToken || token.accessToken === stale) return null;
  return token.expiresAt === null || token.expiresAt > Date.now() ? token.accessToken : null;
}

/**
 * The access token to send to a provider, refreshed first when it expires within the skew.
 * `stale` is a token the provider just refused (401): it is refreshed once, unless another
 * caller already replaced it. One refresh runs per connection: callers in this process share
 * a promise, and processes on other nodes wait on the database lease.
 */
export async function accessTokenFor(instance: Instance, provider: OAuthProvider, stale?: string): Promise<string> {
  // A call made with the record as edited never joins a refresh started with the record before.
  const key = JSON.stringify([provider.sysId, provider.clientId, provider.tokenUrl, provider.revocationUrl, stale ?? ""]);
  const running = inFlight.get(key);
  if (running) return running;
  const work = currentOrRefreshed(instance, provider, stale).finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

async function currentOrRefreshed(instance: Instance, provider: OAuthProvider, stale?: string): Promise<string> {
  const db = instance.store.db;
  const box = instanceSecretBox(instance);
  const deadline = Date.now() + leaseMs * 2;
  for (;;) {
    const token = await readObtainedToken(db, box, provider.sysId);
    if (!token?.accessToken) throw new ProviderError({ key: "providerError.noToken", values: { name: provider.name } }, "no_token");
    const fresh = token.expiresAt === null || refreshFrom(token.expiresAt, token.obtainedAt, instance.config.tokenRefreshSkew * 1000) > Date.now();
    if (fresh && token.accessToken !== stale) return token.accessToken;
    // Due or refused, it is refreshed, even on a connection marked unhealthy: only not again within refreshRetryMs of the last refusal.
    if (waitingToRetry(token)) {
      const fallback = stillUsable(token, stale);
      if (fallback) return fallback;
      throw unhealthy(provider, token.statusReason);
    }
    if (await tryTakeRefreshLease(db, provider.sysId, holder, leaseMs)) {
      // Another node may have refreshed between our read and the lease.
      const again = await readObtainedToken(db, box, provider.sysId);
      if (again && again.generation !== token.generation) {
        await releaseLease(instance, provider.sysId);
        continue;
      }
      return refresh(instance, provider, token, { fallback: stillUsable(token, stale), cause: token.accessToken === stale ? "refused" : "due" });
    }
    // Someone else is refreshing: wait for a new generation or for their lease to lapse.
    for (;;) {
      if (Date.now() > deadline) throw new ProviderError({ key: "providerError.refreshTimedOut", values: { name: provider.name } }, "timeout");
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const state = await leaseState(db, provider.sysId);
      if (!state || state.generation !== token.generation || state.leaseUntil === null || state.leaseUntil <= Date.now()) break;
    }
    const after = await readObtainedToken(db, box, provider.sysId);
    if (after && after.generation === token.generation && after.status === "unhealthy") {
      const fallback = stillUsable(after, stale);
      if (fallback) return fallback;
      throw unhealthy(provider, after.statusReason);
    }
    if (after && after.generation !== token.generation && after.accessToken) return after.accessToken;
  }
}

async function releaseLease(instance: Instance, provider: string): Promise<void> {
  await instance.store.db.updateTable("oauth_obtained_token").set({ refresh_holder: null, refresh_lease_until: null }).where("provider", "=", provider).where("refresh_holder", "=", holder).execute();
}

/**
 * With a refresh token, RFC 6749 §6; without one a client_credentials connection simply asks
 * again. Anything else cannot renew itself: the admin must get a new token. A refresh that fails
 * marks the connection unhealthy, saying why, as a failed token request does: only while `held`
 * is still the token and the record still holds what the refresh was sent with. One that fails
 * before the token expires (it starts tokenRefreshSkew seconds early) still answers `fallback`,
 * the token that has not expired: the call goes through, and one after refreshRetryMs tries again.
 * A refresh `cause`d by the provider refusing the token held says so in the reason: that token
 * no longer carries calls until it expires.
 */
async function refresh(instance: Instance, provider: OAuthProvider, held: ObtainedToken, options: { fallback: string | null; cause: "due" | "refused" }): Promise<string> {
  const { fallback } = options;
  const db = instance.store.db;
  const box = instanceSecretBox(instance);
  const { grantType, refreshToken } = held;
  const basis = await requestBasis(instance, provider, held.generation);
  try {
    if (refreshToken) {
      const fields = await requestToken(instance, provider, { grant_type: "refresh_token", refresh_token: refreshToken });
      await storeObtained(instance, provider, "refresh_token", fields);
      return fields.accessToken;
    }
    if (grantType === "client_credentials") {
      await requestAndStore(instance, provider, "client_credentials");
    } else {
      throw new ProviderError({ key: "providerError.noRefreshToken" }, "no_refresh_token");
    }
  } catch (error) {
    // The record was edited to send tokens elsewhere meanwhile: the token held now (if any) is not this refresh's to judge.
    if (error instanceof ProviderError && error.code === "provider_changed") throw error;
    const why = error instanceof ProviderError ? error.text : verbatim((error as Error).message);
    const reason: StoredText = { key: options.cause === "refused" ? "providerError.refreshFailedTokenRefused" : "providerError.refreshFailed", values: { reason: why } };
    const marked = basis !== undefined && (await markRequestFailed(db, provider.sysId, basis, reason));
    // Released after the mark: a node waiting on the lease then reads the failure, not a healthy token to refresh again.
    await releaseLease(instance, provider.sysId);
    if (fallback) return fallback;
    // Unmarked, the refusal answered what the record no longer holds: the connection is not unhealthy, and a retry sends what it holds now.
    throw marked ? unhealthy(provider, reason) : new ProviderError(staleProvider(provider), "provider_changed");
  }
  const token = await readObtainedToken(db, box, provider.sysId);
  return token!.accessToken!;
}
