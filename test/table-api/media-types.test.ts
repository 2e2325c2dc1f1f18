import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type ApiUser, apiUser } from "../support/table-api.ts";
import { xmlResponse } from "../support/xml.ts";

/**
 * Request bodies by Content-Type on the REST APIs: the types each one reads, and the platform's
 * 415 Unsupported media type for the others. The media type handling is the HTTP layer's, the
 * same on every store, so one store is enough.
 */
describe("request media types on the REST APIs", () => {
  let server: TestInstance;
  let user: ApiUser;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    user = await apiUser(server, "beth.anglin");
  });
  after(() => server.close());

  const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
    http(`${server.base}${path}`, { method, headers: { authorization: `Bearer ${user.token}`, accept: "application/json", ...headers }, body });

  test("a type an API does not read is a 415 in the Table API's envelope, naming the type sent and the ones read; nothing is written", async () => {
    const before = await tableCounts(server.instance.store);
    for (const method of ["POST", "PUT", "PATCH"]) {
      const path = method === "POST" ? "/api/now/table/incident" : "/api/now/table/incident/0123456789abcdef0123456789abcdef";
      const res = await send(method, path, { "content-type": "application/octet-stream" }, '{"short_description":"x"}');
      assert.equal(res.status, 415, `${method}: ${res.text}`);
      assert.equal(res.body.status, "failure");
      assert.equal(res.body.error.message, "unsupported media type: a request body of Content-Type: application/octet-stream is not read here; send application/json, application/xml or text/xml");
      assert.equal(res.body.error.detail, `invalid_request: ${res.body.error.message}`);
    }
    const batch = await send("POST", "/api/now/v1/batch", { "content-type": "application/xml" }, "<request><batch_request_id>x</batch_request_id></request>");
    assert.equal(batch.status, 415, batch.text);
    assert.equal(batch.body.error.message, "unsupported media type: a request body of Content-Type: application/xml is not read here; send application/json");
    const malformed = await send("POST", "/api/now/table/incident", { "content-type": "not a type" }, "{}");
    assert.equal(malformed.status, 415, malformed.text);
    assert.match(malformed.body.error.message, /Content-Type: not a type is not read here/);
    const inXML = await send("POST", "/api/now/table/incident", { "content-type": "image/png", accept: "application/xml" }, "x");
    assert.equal(inXML.status, 415, inXML.text);
    assert.match(xmlResponse(inXML).error.message, /Content-Type: image\/png is not read here/);
    assert.deepEqual(await tableCounts(server.instance.store), before);
  });

  test("the OAuth endpoints keep RFC 6749's 400 invalid_request for a body that is not a form", async () => {
    const res = await http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: "grant_type=client_credentials" });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, "invalid_request");
  });
});
