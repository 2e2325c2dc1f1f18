import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import client from "prom-client";

/**
 * /metrics under `--workers`: whichever worker took the scrape used to answer with its own
 * counts alone, so Prometheus saw each counter jump between the workers' values and read every
 * drop as a restart. The worker that takes a scrape now asks the primary, which gathers every
 * worker's registry over IPC (prom-client's AggregatorRegistry) and answers with their sum.
 */
const request = "portcullis:cluster-metrics";
const response = "portcullis:cluster-metrics-result";
const timeoutMs = 5_000;

interface Answer {
  type: typeof response;
  id: string;
  text?: string;
  error?: string;
}

/** In a worker: offers `registry` to the primary's aggregation. */
export function shareWithPrimary(registry: client.Registry): void {
  new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([registry]);
}

/** In a worker: the whole cluster's metrics, from the primary. */
export function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (message: Answer) => {
      if (message?.type !== response || message.id !== id) return;
      done();
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(message.error ?? "no metrics from the primary"));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error("the primary did not answer with the cluster's metrics"));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      process.off("message", onMessage);
    };
    process.on("message", onMessage);
    process.send!({ type: request, id });
  });
}

/** In the primary: answers the workers' requests for the cluster's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new client.AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== request) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: response, id: message.id, text }),
      (error: Error) => worker.send({ type: response, id: message.id, error: error.message }),
    );
  });
}
