import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * The REST APIs answer a body they refuse only to a caller with credentials
 * (test/table-api/credentials-before-body.test.ts). A Scripted REST resource says itself whether
 * it requires authentication (sys_ws_operation.requires_authentication): one that does answers a
 * caller without credentials with its 401 whatever the body, one open to everyone reads and
 * refuses bodies for anyone. One store is enough: the order is the HTTP layer's.
 */
describe("a Scripted REST resource that requires authentication checks credentials before a refused body", () => {
  let server: TestInstance;
  let ada: ApiUser;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    const admin = await apiUser(server, "admin");
    ada = await apiUser(server, "ada");
    await defineApi(server, admin, "x_order", "api", [
      { name: "closed", http_method: "POST", relative_path: "/closed", operation_script: "response.setBody({ ran: true });" },
      { name: "itil only", http_method: "POST", relative_path: "/itil", operation_script: "response.setBody({ ran: true });", roles_required: "itil" },
      { name: "open", http_method: "POST", relative_path: "/open", operation_script: "response.setBody({ ran: true });", requires_authentication: false },
    ]);
  });
  after(() => server.close());

  const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
    http(`${server.base}/api/x_order/api${path}`, { method, headers: { accept: "application/json", "content-type": "application/json", ...headers }, body });
  const malformed = '{"short_description": ';
  const refusedBodies = (): [string, Record<string, string>, string][] => [
    ["malformed JSON", {}, malformed],
    ["malformed XML", { "content-type": "application/xml" }, "<request><entry>"],
    ["a type no resource reads", { "content-type": "application/octet-stream" }, "{}"],
    ["a body over the limit", {}, `{"a":"${"x".repeat(server.instance.config.bodyLimit)}"}`],
  ];

  test("without credentials, a refused body is the 401 a good body gets; with them, the refusal itself", async () => {
    for (const [name, headers, body] of refusedBodies()) {
      const anonymous = await send("POST", "/closed", headers, body);
      assert.equal(anonymous.status, 401, `${name}: ${anonymous.text}`);
      assert.equal(anonymous.body.error.message, "User Not Authenticated");
      assert.equal(anonymous.headers.get("www-authenticate"), 'Bearer realm="portcullis"', name);
      const badToken = await send("POST", "/closed", { ...headers, authorization: "Bearer not-a-token" }, body);
      assert.equal(badToken.status, 401, `${name}, an unknown token: ${badToken.text}`);
    }
    const expected = [400, 400, 415, 413];
    for (const [i, [name, headers, body]] of refusedBodies().entries()) {
      const res = await send("POST", "/closed", { ...headers, authorization: `Bearer ${ada.token}` }, body);
      assert.equal(res.status, expected[i], `${name} with a token: ${res.text}`);
    }
  });

  test("a caller without the role a resource requires gets its 403, not the body's refusal", async () => {
    const res = await send("POST", "/itil", { authorization: `Bearer ${ada.token}` }, malformed);
    assert.equal(res.status, 403, res.text);
    assert.match(res.body.error.message, /lacks the role this resource requires \(itil\)/);
  });

  test("a resource open to everyone reads and refuses bodies for anyone", async () => {
    const expected = [400, 400, 415, 413];
    for (const [i, [name, headers, body]] of refusedBodies().entries()) {
      const res = await send("POST", "/open", headers, body);
      assert.equal(res.status, expected[i], `${name}: ${res.text}`);
    }
    assert.equal((await send("POST", "/open", {}, "{}")).status, 200);
  });

  test("a resource nobody defined is a 404, and another method a 405 with Allow, before the body is judged", async () => {
    const missing = await send("POST", "/nowhere", {}, malformed);
    assert.equal(missing.status, 404, missing.text);
    const otherMethod = await send("PUT", "/closed", {}, malformed);
    assert.equal(otherMethod.status, 405, otherMethod.text);
    assert.equal(otherMethod.headers.get("allow"), "POST");
  });
});
