import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/** Everything the server sends back on one connection for these raw bytes, until it closes. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    let received = "";
    socket.on("data", (chunk) => (received += chunk));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("requests the HTTP parser cannot read", () => {
  let server: TestInstance;
  let port: number;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    port = Number(new URL(server.base).port);
  });
  after(() => server.close());

  test("garbage gets one 400 in the Table API envelope, then the connection closes", async () => {
    const answer = await exchange(port, "NOT HTTP AT ALL\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1);
    assert.deepEqual(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)), { error: { message: "the request is not valid HTTP", detail: "invalid_request: the request is not valid HTTP" }, status: "failure" });
  });

  test("a body sent without framing after a request already being answered gets no second answer", async () => {
    // A DELETE whose body has no Content-Length: the "{" reads as the start of a next request.
    const answer = await exchange(port, "DELETE /api/now/table/incident HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{");
    assert.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1, answer);
  });
});
