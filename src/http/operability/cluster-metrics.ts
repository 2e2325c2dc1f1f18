import cluster, { type Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import client from "prom-client";

/**
 * /metrics under `--workers`: whichever worker took the scrape used to answer with its own
 * counts alone, so Prometheus saw each counter jump between the workers' values and read every
 * drop as a restart. The worker that takes a scrape now asks the primary, which asks every
 * worker that is serving for its metrics as JSON and answers with their sum (prom-client's
 * aggregation). Not prom-client's clusterMetrics(): it waits for every forked worker, so for the
 * seconds a replacement takes to start each scrape hung for its timeout and failed.
 */
const scrape = "portcullis:cluster-metrics";
const scraped = "portcullis:cluster-metrics-result";
const gather = "portcullis:worker-metrics";
const gathered = "portcullis:worker-metrics-result";
const timeoutMs = 3_000;

interface Message {
  type?: string;
  id?: string;
  text?: string;
  error?: string;
  metrics?: client.MetricObjectWithValues<client.MetricValue<string>>[];
}

let workerRegistry: client.Registry | undefined;
const pendingScrapes = new Map<string, (message: Message) => void>();

/** In a worker: answers the primary with `registry`'s metrics, and takes the answers to its own scrapes. */
export function shareWithPrimary(registry: client.Registry): void {
  if (workerRegistry) return void (workerRegistry = registry);
  workerRegistry = registry;
  process.on("message", (message: Message) => {
    if (message?.type === gather && workerRegistry) {
      workerRegistry.getMetricsAsJSON().then(
        (metrics) => sendToPrimary({ type: gathered, id: message.id, metrics }),
        (error: Error) => sendToPrimary({ type: gathered, id: message.id, error: error.message }),
      );
    } else if (message?.type === scraped && message.id) {
      pendingScrapes.get(message.id)?.(message);
    }
  });
}

/** A message to the primary, unless the channel is gone (the primary stopping): nothing to tell then. */
function sendToPrimary(message: Message): void {
  if (process.connected) process.send!(message, undefined, undefined, () => {});
}

/** In a worker: the whole cluster's metrics, from the primary. */
export function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle({ error: "the primary did not answer with the cluster's metrics" }), timeoutMs * 2);
    const settle = (message: Message) => {
      clearTimeout(timer);
      pendingScrapes.delete(id);
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(message.error ?? "no metrics from the primary"));
    };
    pendingScrapes.set(id, settle);
    sendToPrimary({ type: scrape, id });
  });
}

/** A message to a worker that may have died meanwhile: dropped, never an unhandled 'error' on the primary. */
function sendToWorker(worker: Worker, message: Message): void {
  if (worker.isConnected()) worker.send(message, undefined, () => {});
}

/**
 * In the primary: answers the workers' scrapes. `serving` lists the workers that are listening;
 * one that does not answer in time (dying, stopped) is left out of that scrape rather than failing it.
 */
export function serveClusterMetrics(serving: () => Worker[]): void {
  const gathering = new Map<string, { metrics: Message["metrics"][]; waiting: Set<number>; done(): void }>();
  cluster.on("message", (worker, message: Message) => {
    if (message?.type === gathered && message.id) {
      const round = gathering.get(message.id);
      if (!round || !round.waiting.delete(worker.id)) return;
      if (message.metrics) round.metrics.push(message.metrics);
      if (round.waiting.size === 0) round.done();
      return;
    }
    if (message?.type !== scrape || !message.id) return;
    const asking = worker;
    const workers = serving().filter((w) => w.isConnected());
    const round = { metrics: [] as Message["metrics"][], waiting: new Set(workers.map((w) => w.id)), done: () => {} };
    const roundId = randomUUID();
    const timer = setTimeout(() => round.done(), timeoutMs);
    round.done = () => {
      clearTimeout(timer);
      gathering.delete(roundId);
      const answered = round.metrics.filter((m): m is NonNullable<Message["metrics"]> => m !== undefined);
      if (answered.length === 0) return sendToWorker(asking, { type: scraped, id: message.id, error: "no worker answered with its metrics" });
      client.AggregatorRegistry.aggregate(answered)
        .metrics()
        .then(
          (text) => sendToWorker(asking, { type: scraped, id: message.id, text }),
          (error: Error) => sendToWorker(asking, { type: scraped, id: message.id, error: error.message }),
        );
    };
    gathering.set(roundId, round);
    if (workers.length === 0) return round.done();
    for (const w of workers) sendToWorker(w, { type: gather, id: roundId });
  });
}
