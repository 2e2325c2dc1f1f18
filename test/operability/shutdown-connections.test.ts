import assert from "node:assert/strict";
import net from "node:net";
import { after, describe, test } from "node:test";
import fs from "node:fs";
import { inFlightGraceMs } from "../../src/server.ts";
import { startNodeProcess } from "../support/node-process.ts";
import { http } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";

/** A raw keep-alive connection: what a load balancer's pool or a client's agent holds open to a node. */
async function connection(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let received = "";
  socket.on("data", (d) => (received += d));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    send: (text: string) => void socket.write(text),
    /** Each answer's status line, connection header and body, once `count` have come. */
    async answers(count: number): Promise<{ status: number; connection: string; body: string }[]> {
      for (let i = 0; i < 100 && (received.match(/HTTP\/1\.1 \d{3} /g) ?? []).length < count; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 50));
      return received.split(/(?=HTTP\/1\.1 \d{3} )/).map((answer) => ({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1]),
        connection: /^connection: (.*)\r$/im.exec(answer)?.[1]?.toLowerCase() ?? "",
        body: answer.split("\r\n\r\n")[1] ?? "",
      }));
    },
    closed,
  };
}

/** Resolves once the port refuses new connections: the listener has closed. */
async function untilRefused(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(port, "127.0.0.1");
      probe.once("connect", () => (probe.destroy(), resolve(false))).once("error", () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail("the listener did not close");
}

describe("SIGTERM and connections already open", () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };

  test("while draining, each answer closes its keep-alive connection, so the client's next request goes to a new one (another node's)", async () => {
    const node = await startNodeProcess({ dataDir: dataDir(), env: { PORTCULLIS_SHUTDOWN_DRAIN_MS: "3000" } });
    const held = await connection(node.port);
    held.send("GET /health HTTP/1.1\r\nHost: portcullis.test\r\n\r\n");
    assert.equal((await held.answers(1))[0]!.connection, "keep-alive");
    node.child.kill("SIGTERM");
    let ready = 200;
    for (let i = 0; i < 100 && ready !== 503; i++) {
      await new Promise((r) => setTimeout(r, 25));
      ready = (await http(`${node.base}/ready`)).status;
    }
    assert.equal(ready, 503);
    held.send("GET /health HTTP/1.1\r\nHost: portcullis.test\r\n\r\n");
    const [, during] = await held.answers(2);
    assert.deepEqual({ status: during!.status, connection: during!.connection }, { status: 200, connection: "close" });
    await held.closed;
    assert.equal(await node.exited, 0);
  });

  test("a request that reaches an open connection after the listener closed is served, in the instance's own words, not refused with Fastify's 503", async () => {
    const node = await startNodeProcess({ dataDir: dataDir(), env: { PORTCULLIS_SHUTDOWN_DRAIN_MS: "0" } });
    const held = await connection(node.port);
    // A request in flight (its body not all sent) keeps the connection open across the close.
    const body = "token=not-a-token";
    held.send(`POST /oauth_introspect HTTP/1.1\r\nHost: portcullis.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 4)}`);
    node.child.kill("SIGTERM");
    await untilRefused(node.port);
    // The rest of the body, and the next request sent on the same connection, as a client's pipeline does.
    held.send(`${body.slice(4)}GET /health HTTP/1.1\r\nHost: portcullis.test\r\n\r\n`);
    const [first, second] = await held.answers(2);
    assert.equal(first!.status, 401, "introspection without client credentials");
    assert.deepEqual(second, { status: 200, connection: "close", body: '{"status":"ok"}' });
    await held.closed;
    assert.equal(await node.exited, 0);
  });

  test("a client that stalls mid-request does not hold the stopping process: past the grace for requests in flight its connection is closed and the process exits 0", async () => {
    const node = await startNodeProcess({ dataDir: dataDir(), env: { PORTCULLIS_SHUTDOWN_DRAIN_MS: "0" } });
    const stalled = await connection(node.port);
    // A body announced and never finished: a client gone quiet, or one holding connections on purpose.
    stalled.send("POST /oauth_introspect HTTP/1.1\r\nHost: portcullis.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntoken=");
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    node.child.kill("SIGTERM");
    const exit = await Promise.race([node.exited, new Promise<string>((r) => setTimeout(() => r("still running"), inFlightGraceMs + 8000))]);
    if (exit === "still running") node.child.kill("SIGKILL");
    assert.equal(exit, 0);
    assert.ok(Date.now() - signalled >= inFlightGraceMs, "requests in flight were given their time first");
    await stalled.closed;
  });
});
