import assert from "node:assert/strict";
import { describe, test } from "node:test";
import client from "prom-client";
import { RequestTally } from "../../src/http/operability/request-tally.ts";

function registryWith(tally: RequestTally): client.Registry {
  const registry = new client.Registry();
  new client.Counter({
    name: "t_requests_total",
    help: "h",
    labelNames: ["route", "method", "status"],
    registers: [registry],
    collect() {
      tally.flushInto(this);
    },
  });
  registry.registerMetric(tally.histogram("t_duration_seconds", "h"));
  return registry;
}

describe("the request tally behind /metrics", () => {
  test("its exposition is what prom-client's own counter and histogram give for the same requests", async () => {
    const bounds = [0.001, 0.01, 0.1];
    const tally = new RequestTally(bounds);
    const ours = registryWith(tally);
    const theirs = new client.Registry();
    const counter = new client.Counter({ name: "t_requests_total", help: "h", labelNames: ["route", "method", "status"], registers: [theirs] });
    const histogram = new client.Histogram({ name: "t_duration_seconds", help: "h", labelNames: ["route", "method"], buckets: bounds, registers: [theirs] });
    const requests: [string, string, number, number][] = [["/a", "GET", 200, 0.0005], ["/a", "GET", 404, 0.02], ["/b", "POST", 200, 0.5], ["/a", "GET", 200, 0.001]];
    for (const [route, method, status, seconds] of requests) {
      tally.record(route, method, status, seconds);
      counter.inc({ route, method, status: String(status) });
      histogram.observe({ route, method }, seconds);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.equal(await ours.metrics(), await theirs.metrics(), "a second scrape counts nothing twice");
  });

  test("registry.resetMetrics() starts the counter and the histogram over together", async () => {
    const tally = new RequestTally([0.01]);
    const registry = registryWith(tally);
    for (let i = 0; i < 5; i++) tally.record("/a", "GET", 200, 0.005);
    await registry.metrics();
    registry.resetMetrics();
    tally.record("/a", "GET", 200, 0.005);
    const text = await registry.metrics();
    assert.match(text, /^t_requests_total\{route="\/a",method="GET",status="200"\} 1$/m);
    assert.match(text, /^t_duration_seconds_count\{route="\/a",method="GET"\} 1$/m);
    assert.match(text, /^t_duration_seconds_bucket\{le="\+Inf",route="\/a",method="GET"\} 1$/m);
  });
});
