import type { Store } from "./database.ts";

/**
 * Gathers work per store into batches for group commit: the first item schedules a flush for
 * the next turn of the event loop, and while a flush is running the items arriving meanwhile wait
 * for it to finish and then go together in the next one. Under load batches grow instead of
 * transactions multiplying: on PostgreSQL every extra transaction is more round trips, and two
 * in flight at once contend for the same rows. `flush` must settle every item it is given (it
 * answers each caller); it should not throw.
 */
export function commitBatcher<T>(flush: (store: Store, items: T[]) => Promise<void>): (store: Store, item: T) => void {
  const queues = new WeakMap<Store, T[]>();
  const running = new WeakSet<Store>();
  const run = async (store: Store) => {
    const items = queues.get(store);
    queues.delete(store);
    if (!items) return;
    running.add(store);
    try {
      await flush(store, items);
    } finally {
      running.delete(store);
      if (queues.has(store)) setImmediate(() => void run(store));
    }
  };
  return (store, item) => {
    let queue = queues.get(store);
    if (!queue) {
      queue = [];
      queues.set(store, queue);
      if (!running.has(store)) setImmediate(() => void run(store));
    }
    queue.push(item);
  };
}
