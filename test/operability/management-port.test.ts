import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import { after, describe, test } from "node:test";
import { getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { type ConfigInput, loadConfig } from "../../src/config.ts";
import { translator } from "../../src/i18n/translator.ts";
import { startServer } from "../../src/server.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { readCaCertificates, trustingDispatcher } from "../../src/tls/trust.ts";
import { buildManagementApp } from "../../src/http/operability/management-app.ts";
import { OAuthError } from "../../src/http/oauth/oauth-error.ts";

const sqlite = dialectsUnderTest()[0]!;

describe("the management port: /metrics, /health and /ready apart from the public port", () => {
  const servers: TestInstance[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  test("/metrics moves to the management port and counts the public port's traffic; the public port no longer answers it", async () => {
    const managementPort = await freePort();
    const server = await startTestInstance(sqlite, { managementPort });
    servers.push(server);
    const management = `http://127.0.0.1:${managementPort}`;
    const client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
    const token = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(token.status, 200);

    const publicScrape = await http(`${server.base}/metrics`);
    assert.equal(publicScrape.status, 404, "the public port does not tell anyone the instance's traffic");
    assert.doesNotMatch(publicScrape.text, /portcullis_/);

    const scrape = await http(`${management}/metrics`);
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get("content-type")!, /text\/plain/);
    assert.match(scrape.text, /portcullis_http_requests_total\{route="\/oauth_token.do",method="POST",status="200"\} 1\n/);
    assert.match(scrape.text, /portcullis_http_requests_total\{route="unmatched",method="GET",status="404"\} 1\n/, "the refused public /metrics is counted like any unknown path");
    assert.doesNotMatch(scrape.text, /route="\/metrics"/, "scrapes are not the instance's traffic");
    assert.ok(!scrape.text.includes(token.body.access_token));

    assert.deepEqual((await http(`${management}/health`)).body, { status: "ok" });
    const ready = await http(`${management}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, "ready");
    assert.equal((await http(`${server.base}/health`)).status, 200, "a load balancer probing the public port still can");

    const elsewhere = await http(`${management}/oauth_token.do`);
    assert.equal(elsewhere.status, 404);
    assert.equal(elsewhere.body.status, "failure");
    assert.match(elsewhere.body.error.message, /no such resource on the management port/);
    assert.match(elsewhere.body.error.detail, /\/health, \/ready and \/metrics/);
    // A client's mistake is the client's: a body Fastify cannot parse keeps its 400, never a 500.
    for (const [type, body, status] of [["application/json", "{", 400]] as const) {
      const refused = await fetch(`${management}/nowhere`, { method: "POST", headers: { "content-type": type }, body });
      assert.equal(refused.status, status, `${type}: ${await refused.clone().text()}`);
      assert.equal(((await refused.json()) as { status: string }).status, "failure");
    }
  });

  test("every error the management port answers says in its detail what went wrong and what it answers", async () => {
    const managementPort = await freePort();
    const server = await startTestInstance(sqlite, { managementPort });
    servers.push(server);
    const management = `http://127.0.0.1:${managementPort}`;
    const answers = "the management port answers GET /health, /ready and /metrics, none of which takes a body";
    const refusals: [string, RequestInit, number, string][] = [
      ["/nowhere", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }, 400, "its body or URL could not be read"],
      ["/nowhere", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(1_100_000) }) }, 413, "its body is too large"],
    ];
    for (const [path, init, status, why] of refusals) {
      const refused = await fetch(`${management}${path}`, init);
      const body = (await refused.json()) as { error: { message: string; detail: unknown }; status: string };
      assert.equal(refused.status, status, JSON.stringify(body));
      assert.equal(body.status, "failure");
      assert.equal(body.error.detail, `POST ${path} was refused before any route read it (${why}); ${answers}`);
    }

    // What the server fails at itself, reached through the management app's own error handler.
    const app = buildManagementApp(server.instance);
    app.get("/scrape-unanswered", async () => Promise.reject(new OAuthError("temporarily_unavailable", "the primary did not answer with the cluster's metrics", { status: 503 })));
    app.get("/scrape-broken", async () => Promise.reject(new Error("a collector threw")));
    const unanswered = await app.inject({ method: "GET", url: "/scrape-unanswered" });
    assert.equal(unanswered.statusCode, 503);
    assert.deepEqual(unanswered.json().error, { message: "the primary did not answer with the cluster's metrics", detail: "GET /scrape-unanswered could not be answered for now (temporarily_unavailable); try again shortly, as the next scrape will" });
    const broken = await app.inject({ method: "GET", url: "/scrape-broken?x=1" });
    assert.equal(broken.statusCode, 500);
    assert.deepEqual(broken.json().error, { message: "the management port could not answer", detail: "GET /scrape-broken failed on the server's side, not for anything in the request; /health tells whether the process answers and /ready whether its database does" });
    assert.doesNotMatch(broken.body, /a collector threw/, "no cause or stack from inside the server");
    await app.close();
  });

  test("/ready on the management port turns 503 while the node drains", async () => {
    const managementPort = await freePort();
    const server = await startTestInstance(sqlite, { managementPort, shutdownDrainMs: 600 });
    servers.push(server);
    const stopping = server.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await http(`http://127.0.0.1:${managementPort}/ready`, { headers: { connection: "close" } });
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, "draining");
    await stopping;
    await assert.rejects(http(`http://127.0.0.1:${managementPort}/health`, { headers: { connection: "close" } }), "closed with the instance");
  });

  test("with PORTCULLIS_METRICS=off the management port answers the probes only", async () => {
    const managementPort = await freePort();
    const server = await startTestInstance(sqlite, { managementPort, metrics: "off" });
    servers.push(server);
    assert.equal((await http(`http://127.0.0.1:${managementPort}/metrics`)).status, 404);
    assert.equal((await http(`http://127.0.0.1:${managementPort}/health`)).status, 200);
  });

  test("an instance serving TLS serves the management port with the same certificate", async () => {
    const managementPort = await freePort();
    const server = await startTestInstance(sqlite, { managementPort, https: true });
    servers.push(server);
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(trustingDispatcher(readCaCertificates(path.join(server.instance.config.dataDir, "tls", "ca.pem"))));
    try {
      const scrape = await http(`https://localhost:${managementPort}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(scrape.text, /portcullis_http_requests_total|portcullis_process_cpu_seconds_total/);
    } finally {
      setGlobalDispatcher(previous);
    }
    await assert.rejects(http(`http://127.0.0.1:${managementPort}/health`, { headers: { connection: "close" } }), "no plain HTTP beside TLS");
  });

  test("the management port is checked before anything is created: taken, or the public port itself", async () => {
    const port = await freePort();
    const taken = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: taken }, resolve));
    try {
      const dataDir = path.join(tempDir(), "instance");
      await assert.rejects(
        startServer(loadConfig({ dataDir, port, managementPort: taken, adminPassword: "an admin password", logLevel: "silent" }), { logger: false, print: () => {} }),
        new RegExp(`port ${taken} on 127\\.0\\.0\\.1 is already in use.*--management-port \\(or PORTCULLIS_MANAGEMENT_PORT\\)\\. Nothing was created`),
      );
      assert.equal((await import("node:fs")).existsSync(dataDir), false, "no data directory, no admin whose password was shown and lost");
      const listening = await http(`http://127.0.0.1:${port}/health`, { headers: { connection: "close" } }).catch(() => undefined);
      assert.equal(listening, undefined, "the public port was not left open either");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    assert.throws(() => loadConfig({ port: 9000, managementPort: 9000 }), /the management port \(--management-port, PORTCULLIS_MANAGEMENT_PORT\) must differ from the port, 9000/);
    assert.throws(() => loadConfig({ managementPort: "ninety" as unknown as number }), /PORTCULLIS_MANAGEMENT_PORT/);
  });

  test("--management-port 0 is told as the port the system gave, which answers", async () => {
    const lines: string[] = [];
    const dataDir = path.join(tempDir(), "instance");
    const server = await startServer(loadConfig({ dataDir, port: await freePort(), managementPort: 0, adminPassword: "an admin password", logLevel: "silent" }), { logger: false, print: (line) => lines.push(line) });
    try {
      const told = lines.map((line) => /^Management \(\/metrics, \/health, \/ready\): http:\/\/127\.0\.0\.1:(\d+)$/.exec(line)).find(Boolean);
      assert.ok(told, lines.join("\n"));
      assert.notEqual(told[1], "0");
      assert.equal((await http(`http://127.0.0.1:${told[1]}/health`, { headers: { connection: "close" } })).status, 200);
    } finally {
      await server.close();
    }
  });

  test("a management port other machines can reach over plain HTTP serves /metrics with a warning, in the reader's language; TLS, loopback or metrics off need none", async () => {
    const started = async (settings: Partial<ConfigInput>, i18n = translator("en")) => {
      const lines: string[] = [];
      const dataDir = path.join(tempDir(), "instance");
      const server = await startServer(loadConfig({ dataDir, port: await freePort(), managementPort: 0, adminPassword: "an admin password", logLevel: "silent", ...settings }), { logger: false, print: (line) => lines.push(line), i18n });
      await server.close();
      return lines;
    };
    const english = await started({ managementHost: "0.0.0.0" });
    const warning = english.find((line) => line.startsWith("WARNING"));
    assert.match(warning ?? "", /^WARNING: the management port serves \/metrics over plain HTTP on 0\.0\.0\.0, which other machines can reach/, english.join("\n"));
    assert.match(warning!, /--https/);
    assert.match(warning!, /PORTCULLIS_MANAGEMENT_HOST=127\.0\.0\.1/);
    assert.match(warning!, /PORTCULLIS_METRICS=off/);
    assert.ok(english.indexOf(warning!) < english.findIndex((line) => line.startsWith("Metadata:")), "before the last line, which callers read as ready");
    const korean = await started({ managementHost: "0.0.0.0" }, translator("ko"));
    assert.match(korean.find((line) => line.startsWith("경고")) ?? "", /^경고: 관리 포트가 다른 컴퓨터에서 접근할 수 있는 0\.0\.0\.0에서 \/metrics를 암호화되지 않은 HTTP로 제공합니다/, korean.join("\n"));
    for (const quiet of [{}, { managementHost: "::1" }, { managementHost: "0.0.0.0", metrics: "off" as const }, { managementHost: "0.0.0.0", https: true }]) {
      assert.deepEqual((await started(quiet)).filter((line) => /WARNING/.test(line)), [], JSON.stringify(quiet));
    }
  });

  test("metrics default on with a management port, even when the public port is not loopback; the host defaults to loopback", () => {
    assert.equal(loadConfig({ host: "0.0.0.0" }).metrics, false);
    const config = loadConfig({ host: "0.0.0.0", managementPort: 9000 });
    assert.equal(config.metrics, true);
    assert.equal(config.managementHost, "127.0.0.1");
    assert.equal(loadConfig({ host: "0.0.0.0", managementPort: 9000, metrics: "off" }).metrics, false);
  });
});
