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

  const big = "s".repeat(17_000);
  const head = (answer: string) => answer.slice(0, answer.indexOf("\r\n\r\n"));
  const body = (answer: string) => answer.slice(answer.indexOf("\r\n\r\n") + 4);

  test("a request head past the limit is a 431 in its path's own format: RFC 6749's JSON at the token endpoint", async () => {
    const answer = await exchange(port, `POST /oauth_token.do HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\ngrant_type=client_credentials`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.deepEqual(JSON.parse(body(answer)), { error: "invalid_request", error_description: "the request's URL and headers are too large: together they may be at most 16384 bytes" });
    assert.match(head(answer), /\r\ncache-control: no-store\r\n/i);
    assert.match(head(answer), /\r\npragma: no-cache\r\n/i);
    assert.match(head(answer), /\r\nx-content-type-options: nosniff\r\n/i);
  });

  test("…a page at /oauth_auth.do, with the pages' security headers, and the Table API's envelope under /api/", async () => {
    const page = await exchange(port, `GET /oauth_auth.do?response_type=code&state=${big} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(page, /^HTTP\/1\.1 431 /);
    assert.match(head(page), /\r\ncontent-type: text\/html; charset=utf-8\r\n/i);
    assert.match(head(page), /\r\nx-frame-options: (DENY|SAMEORIGIN)\r\n/i);
    assert.match(head(page), /\r\ncontent-security-policy: [^\r]*frame-ancestors 'none'/i);
    assert.match(body(page), /<p>the request&#39;s URL and headers are too large: together they may be at most 16384 bytes<\/p>/);
    assert.doesNotMatch(page, /sssss/, "nothing sent is echoed");
    const api = await exchange(port, `GET /api/now/table/incident?sysparm_query=${big} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(api, /^HTTP\/1\.1 431 /);
    assert.equal(JSON.parse(body(api)).status, "failure");
    assert.match(JSON.parse(body(api)).error.message, /Batch API/);
  });

  test("a body sent without framing after a request already being answered gets no second answer", async () => {
    // A DELETE whose body has no Content-Length: the "{" reads as the start of a next request.
    const answer = await exchange(port, "DELETE /api/now/table/incident HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{");
    assert.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1, answer);
  });
});
