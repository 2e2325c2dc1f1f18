import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { signIn } from "../support/admin.ts";
import { basic, http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";
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

  const send = (method: string, path: string, headers: Record<string, string>, body: BodyInit) =>
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

  // fetch sends no Content-Type for a Blob that has no type, as Python's requests.post(url, data=json.dumps(…)) sends none.
  const untyped = (text: string) => new Blob([text]);

  test("a write without Content-Type is read as JSON, the platform's default: POST, PUT and PATCH on the Table API, and a batch", async () => {
    const created = await send("POST", "/api/now/table/incident", {}, untyped('{"short_description":"no type"}'));
    assert.equal(created.status, 201, created.text);
    const id = created.body.result.sys_id;
    assert.equal(created.body.result.short_description, "no type");
    const patched = await send("PATCH", `/api/now/table/incident/${id}`, {}, untyped('{"state":"2"}'));
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.result.state, "2");
    const put = await send("PUT", `/api/now/table/incident/${id}`, {}, untyped('{"short_description":"put, no type"}'));
    assert.equal(put.status, 200, put.text);
    const read = await api(server, "GET", `/api/now/table/incident/${id}?sysparm_fields=short_description,state`, { token: user.token });
    assert.deepEqual(read.body.result, { short_description: "put, no type", state: "2" });
    const rest_requests = [{ id: "one", method: "GET", url: `/api/now/table/incident/${id}?sysparm_fields=state`, headers: [] }];
    const batch = await send("POST", "/api/now/v1/batch", {}, untyped(JSON.stringify({ batch_request_id: "b", rest_requests })));
    assert.equal(batch.status, 200, batch.text);
    assert.equal(batch.body.serviced_requests[0].status_code, 200);
  });

  test("a body without Content-Type that is not JSON gets the JSON parser's 400, and nothing is written", async () => {
    const before = await tableCounts(server.instance.store);
    const res = await send("POST", "/api/now/table/incident", {}, untyped("short_description=x"));
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.error.message, /^the JSON body could not be read: it is not valid JSON/);
    const xml = await send("POST", "/api/now/table/incident", {}, untyped("<request><entry><short_description>x</short_description></entry></request>"));
    assert.equal(xml.status, 400, xml.text);
    const large = await send("POST", "/api/now/table/incident", {}, untyped(`{"short_description":"${"x".repeat(server.instance.config.bodyLimit)}"}`));
    assert.equal(large.status, 413, large.text);
    assert.equal(large.body.error.message, "the request body is too large");
    assert.deepEqual(await tableCounts(server.instance.store), before);
  });

  test("a body without Content-Type is not read from a browser, which may send one cross-site without a preflight, with HTTP Basic credentials it keeps", async () => {
    const before = await tableCounts(server.instance.store);
    const basicAuth = basic(user.userName, user.password);
    const fromBrowsers: Record<string, string>[] = [{ "sec-fetch-site": "cross-site" }, { origin: "https://elsewhere.example" }];
    for (const browser of fromBrowsers) {
      const res = await send("POST", "/api/now/table/incident", { ...browser, authorization: basicAuth }, untyped('{"short_description":"forged"}'));
      assert.equal(res.status, 415, res.text);
      assert.match(res.body.error.message, /without Content-Type is read as JSON only from a client that is not a browser/);
    }
    const typed = await send("POST", "/api/now/table/incident", { authorization: basicAuth }, untyped('{"short_description":"basic"}'));
    assert.equal(typed.status, 201, `the same credentials from a client that is not a browser: ${typed.text}`);
    assert.equal((await tableCounts(server.instance.store)).incident, before.incident! + 1);
  });

  test("the OAuth endpoints and the admin forms read no body without Content-Type: a form without its type changes nothing, CSRF token and session cookie notwithstanding", async () => {
    const token = await http(`${server.base}/oauth_token.do`, { method: "POST", body: untyped("grant_type=client_credentials") });
    assert.equal(token.status, 400, token.text);
    assert.equal(token.body.error, "invalid_request");
    const browser = await signIn(server.base);
    const page = await browser.get("/admin/users");
    const fields = new URLSearchParams(page.formAt("/admin/users"));
    fields.set("user_name", "typeless");
    fields.set("password", "long enough 1");
    assert.ok(fields.get("csrf_token"), "the form carries its CSRF token");
    const before = await tableCounts(server.instance.store);
    const res = await http(`${server.base}/admin/users`, { method: "POST", headers: { cookie: browser.cookieHeader(), "sec-fetch-site": "same-origin" }, body: untyped(fields.toString()) });
    assert.ok(res.status >= 400 && res.status < 500, `${res.status}: ${res.text.slice(0, 300)}`);
    assert.deepEqual(await tableCounts(server.instance.store), before);
    const typed = await browser.submitForm(page, "/admin/users", { user_name: "typed", password: "long enough 1" });
    assert.equal(typed.status, 303, "the same form with its type creates the user");
  });

  test("the OAuth endpoints keep RFC 6749's 400 invalid_request for a body that is not a form", async () => {
    const res = await http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: "grant_type=client_credentials" });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, "invalid_request");
  });

  test("a body that is not UTF-8, or whose JSON spells half a surrogate pair, is a 400 that writes nothing; a whole pair is kept", async () => {
    const before = await tableCounts(server.instance.store);
    const invalid = Buffer.concat([Buffer.from('{"short_description":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' utf8"}')]);
    for (const headers of [{ "content-type": "application/json" }, {}] as Record<string, string>[]) {
      const res = await send("POST", "/api/now/table/incident", headers, invalid);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.message, "the request body is not valid UTF-8; send it in UTF-8");
    }
    const xml = Buffer.concat([Buffer.from("<request><entry><short_description>bad "), Buffer.from([0xc3]), Buffer.from("</short_description></entry></request>")]);
    const xmlRes = await send("POST", "/api/now/table/incident", { "content-type": "application/xml" }, xml);
    assert.equal(xmlRes.status, 400, xmlRes.text);
    for (const body of ['{"short_description":"x\\udfffy"}', '{"short_description":"x\\ud800"}', '{"\\udc00":"x"}']) {
      const res = await send("POST", "/api/now/table/incident", { "content-type": "application/json" }, body);
      assert.equal(res.status, 400, `${body}: ${res.text}`);
      assert.match(res.body.error.message, /half of a surrogate pair/);
    }
    assert.deepEqual(await tableCounts(server.instance.store), before);
    const kept = await send("POST", "/api/now/table/incident", { "content-type": "application/json" }, '{"short_description":"smile \\ud83d\\ude00 é"}');
    assert.equal(kept.status, 201, kept.text);
    assert.equal(kept.body.result.short_description, "smile \u{1F600} é");
  });
});
