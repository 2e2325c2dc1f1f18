import type client from "prom-client";

type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  /** Requests since the last scrape, for the counter; the histogram keeps its own totals. */
  unscraped: number;
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Requests and their latency, tallied per series in plain arrays keyed by one string, and handed
 * to prom-client only when /metrics is scraped. prom-client's own `inc` and `observe` validate
 * the labels and build a hash of them on every call: 6 % of the server's CPU on a token request,
 * more than the rate limit's counting. The exposition is prom-client's, unchanged.
 */
export class RequestTally {
  /** By route, method and status, nested: a key built per request was most of the cost. */
  readonly #byRoute = new Map<string, Map<string, Map<number, Series>>>();
  readonly #series: Series[] = [];
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  /** One request answered with `status` after `seconds`. */
  record(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.#byRoute.get(route);
    if (byMethod === undefined) this.#byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) {
      series = { labels: { route, method, status: String(status) }, unscraped: 0, buckets: this.#bounds.map(() => 0), sum: 0, count: 0 };
      byStatus.set(status, series);
      this.#series.push(series);
    }
    series.unscraped += 1;
    series.sum += seconds;
    series.count += 1;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        series.buckets[i]! += 1;
        break;
      }
    }
  }

  /** Moves the requests counted since the last scrape into `counter` (call from its `collect`). */
  flushInto(counter: client.Counter<string>): void {
    for (const series of this.#series) {
      if (series.unscraped === 0) continue;
      counter.inc(series.labels, series.unscraped);
      series.unscraped = 0;
    }
  }

  /**
   * A histogram as prom-client's registry reads one (`get()`): cumulative buckets, `+Inf`, sum
   * and count per route and method. Series differing only in status are merged, as the latency
   * histogram has never been labelled by status.
   */
  histogram(name: string, help: string): client.Metric<string> {
    const get = async () => {
      const merged = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();
      for (const series of this.#series) {
        const key = `${series.labels.route} ${series.labels.method}`;
        const into = merged.get(key) ?? { labels: { route: series.labels.route!, method: series.labels.method! }, buckets: this.#bounds.map(() => 0), sum: 0, count: 0 };
        series.buckets.forEach((n, i) => (into.buckets[i]! += n));
        into.sum += series.sum;
        into.count += series.count;
        merged.set(key, into);
      }
      const values = [...merged.values()].flatMap(({ labels, buckets, sum, count }) => {
        let cumulative = 0;
        return [
          ...buckets.map((n, i) => ({ labels: { le: this.#bounds[i]!, ...labels }, value: (cumulative += n), metricName: `${name}_bucket` })),
          { labels: { le: "+Inf", ...labels }, value: count, metricName: `${name}_bucket` },
          { labels, value: sum, metricName: `${name}_sum` },
          { labels, value: count, metricName: `${name}_count` },
        ];
      });
      return { name, help, type: "histogram", values, aggregator: "sum" };
    };
    // registry.resetMetrics() starts every metric over, this one included (the counter resets its own values).
    const reset = () => {
      for (const series of this.#series) {
        series.buckets.fill(0);
        series.sum = 0;
        series.count = 0;
        series.unscraped = 0;
      }
    };
    return { name, help, get, reset } as unknown as client.Metric<string>;
  }
}
