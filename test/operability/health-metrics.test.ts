import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`health, readiness and Prometheus metrics on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => (server = await startTestInstance(dialect)));
    after(() => server.close());

    test("/health answers ok and /ready checks the database", async () => {
      assert.deepEqual((await http(`${server.base}/health`)).body, { status: "ok" });
      const ready = await http(`${server.base}/ready`);
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, "ready");
      assert.equal(ready.body.database, server.instance.store.dialect);
      for (const path of ["/health", "/ready"]) assert.equal((await http(`${server.base}${path}`, { headers: { accept: "text/plain" } })).status, 200, `a probe's Accept never fails ${path}`);
    });

    test("/metrics counts requests by route and status, token issues by grant, and latency", async () => {
      const client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      const token = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, "wrong") });
      await http(`${server.base}/no/such/path/${Math.random()}`);
      const metrics = await http(`${server.base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get("content-type")!, /text\/plain/);
      assert.match(metrics.text, /portcullis_http_requests_total\{route="\/oauth_token.do",method="POST",status="200"\} 1/);
      assert.match(metrics.text, /portcullis_http_requests_total\{route="\/oauth_token.do",method="POST",status="401"\} 1/);
      assert.match(metrics.text, /portcullis_http_requests_total\{route="unmatched",method="GET",status="404"\} 1/);
      assert.match(metrics.text, /portcullis_oauth_token_requests_succeeded_total\{grant_type="client_credentials"\} 1/);
      assert.match(metrics.text, /portcullis_http_request_duration_seconds_bucket/);
      assert.match(metrics.text, /^portcullis_process_cpu_seconds_total \S+$/m, "the process's own metrics under the one prefix");
      assert.match(metrics.text, /^portcullis_nodejs_eventloop_lag_max_seconds \S+$/m);
      assert.doesNotMatch(metrics.text, /portcullis_process_process_|portcullis_process_nodejs_/);
      assert.ok(!metrics.text.includes(token.body.access_token));

      // A second scrape counts what came since on top, neither twice nor from zero.
      await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      const again = (await http(`${server.base}/metrics`)).text;
      assert.match(again, /portcullis_http_requests_total\{route="\/oauth_token.do",method="POST",status="200"\} 2\n/);
      assert.match(again, /portcullis_http_requests_total\{route="\/oauth_token.do",method="POST",status="401"\} 1\n/);
      assert.match(again, /portcullis_oauth_token_requests_succeeded_total\{grant_type="client_credentials"\} 2\n/);
      // The latency histogram is by route and method: the 200s and the 401 in one series, its buckets cumulative.
      assert.match(again, /portcullis_http_request_duration_seconds_count\{route="\/oauth_token.do",method="POST"\} 3\n/);
      assert.match(again, /portcullis_http_request_duration_seconds_bucket\{le="\+Inf",route="\/oauth_token.do",method="POST"\} 3\n/);
      assert.match(again, /portcullis_http_request_duration_seconds_sum\{route="\/oauth_token.do",method="POST"\} \d/);
      const buckets = [...again.matchAll(/portcullis_http_request_duration_seconds_bucket\{le="([^"]+)",route="\/oauth_token.do",method="POST"\} (\d+)/g)].map((m) => Number(m[2]));
      assert.equal(buckets.length, 12, "eleven bounds and +Inf");
      assert.deepEqual([...buckets].sort((a, b) => a - b), buckets, "cumulative");
    });
  });
}
