import type { Store } from "./store/database.ts";
import { deleteExpiredTokens } from "./store/token-store.ts";

/**
 * Sweeps expired tokens and codes every `intervalSeconds`. One sweeper per store: a cluster's
 * primary runs it, its workers do not. A sweep still running when the next is due is not doubled.
 */
export function scheduleTokenCleanup(store: Store, intervalSeconds: number, warn: (error: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deleteExpiredTokens(store.db)
      .catch(warn)
      .finally(() => {
        running = false;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
