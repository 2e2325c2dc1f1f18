import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { startServer, type RunningServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";

/**
 * A sub-request is the caller's request: it is logged, rate-limited and locked out under the
 * caller's address, which its own headers cannot change, even behind a trusted proxy on loopback.
 */
describe("Batch API sub-requests keep the caller's address", () => {
  const lines: string[] = [];
  let server: RunningServer;
  let base: string;
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadConfig({ dataDir: tempDir(), port, adminPassword, logLevel: "info", trustProxy: ["127.0.0.1"] });
    server = await startServer(config, { print: () => {}, logStream: { write: (line: string) => void lines.push(line) } });
  });
  after(() => server.close());

  test("a sub-request's X-Forwarded-For or Forwarded header is not believed, and it is not the server's own loopback address", async () => {
    const { token } = await apiUser({ ...server, base, close: async () => {} }, "batch.address.caller");
    const spoofed = [
      { name: "X-Forwarded-For", value: "198.51.100.9" },
      { name: "Forwarded", value: "for=198.51.100.10" },
    ];
    const body = { batch_request_id: "1", rest_requests: [{ id: "a", method: "GET", url: "/api/now/v1/whoami", headers: spoofed }] };
    const before = lines.length;
    // The trusted proxy on loopback says the caller is 203.0.113.7.
    const res = await fetch(`${base}/api/now/v1/batch`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json", "x-forwarded-for": "203.0.113.7" }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { serviced_requests: { status_code: number }[] }).serviced_requests[0]!.status_code, 200);
    const logged = lines
      .slice(before)
      .map((line) => JSON.parse(line) as { req?: { path: string; ip: string } })
      .filter((line) => line.req);
    assert.deepEqual(logged.map((line) => [line.req!.path, line.req!.ip]).sort(), [
      ["/api/now/v1/batch", "203.0.113.7"],
      ["/api/now/v1/whoami", "203.0.113.7"],
    ]);
  });
});
