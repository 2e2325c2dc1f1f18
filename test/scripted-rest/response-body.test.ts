import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * What a caller receives, as ServiceNow documents RESTAPIResponse and RESTAPIResponseStream: a
 * body set with setBody or returned is serialized inside {"result": …} ("Scripted REST API example
 * - script samples" answers {"result":{"id":1234,…}}), setError's envelope is not, and
 * getStreamWriter().writeString sends text as written once the status and content type are set.
 */
const resources = [
  { name: "object", relative_path: "/object", operation_script: "response.setBody({ name: 'incident', number: '1234', caller: { id: 'user1' } });" },
  { name: "array", relative_path: "/array", operation_script: "response.setBody([{ name: 'incident' }]);" },
  { name: "string", relative_path: "/string", operation_script: "response.setBody('plain words');" },
  { name: "returned", relative_path: "/returned", operation_script: "(function process(request, response) { return [{ number: 'INC0011301' }]; })(request, response);" },
  { name: "returned null", relative_path: "/null", operation_script: "return null;" },
  { name: "error after body", relative_path: "/error", operation_script: "response.setBody({ partial: true }); response.setError(new sn_ws_err.NotFoundError('gone'));" },
  {
    name: "stream",
    relative_path: "/stream",
    // The platform's own streaming sample: the writer first, then headers and status, then the text.
    operation_script:
      "var writer = response.getStreamWriter(); response.setStatus(201); response.setHeaders({ 'Content-Type': 'text/csv' });\n" +
      "writer.writeString('number,short_description\\n'); writer.writeString('INC0011301,'); writer.writeString(42); return { ignored: true };",
  },
  { name: "stream json", relative_path: "/stream-json", operation_script: "response.setContentType('application/json'); response.setStatus(200); response.getStreamWriter().writeString(JSON.stringify({ results: [1, 2] }));" },
  {
    name: "stream rules",
    relative_path: "/stream-rules/{kind}",
    operation_script:
      "const w = response.getStreamWriter(); const kind = request.pathParams.kind; const refused = [];\n" +
      "const attempt = (f) => { try { f(); } catch (e) { refused.push(e.message); } };\n" +
      "if (kind === 'unset') { attempt(() => w.writeString('x')); response.setStatus(200); attempt(() => w.writeString('x')); return refused; }\n" +
      "if (kind === 'after-body') { response.setStatus(200); response.setContentType('text/plain'); response.setBody({ a: 1 }); attempt(() => w.writeString('x')); response.setBody(refused); return; }\n" +
      "if (kind === 'stream') { attempt(() => w.writeStream({})); return refused; }\n" +
      "if (kind === 'uncaught') { w.writeString('no status'); return; }\n" +
      "response.setStatus(202); response.setContentType('text/plain'); w.writeString('written;');\n" +
      "attempt(() => response.setStatus(500)); attempt(() => response.setHeader('X-Late', '1')); attempt(() => response.setContentType('text/html')); attempt(() => response.setBody({ late: true })); attempt(() => response.setError(new sn_ws_err.BadRequestError('late')));\n" +
      "w.writeString(JSON.stringify(refused));",
  },
];

for (const dialect of dialectsUnderTest()) {
  describe(`the response body as the platform sends it, on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_body", "api", resources.map((r) => ({ ...r, http_method: "GET" })));
    });
    after(() => server.close());

    const get = (path: string) => http(`${server.base}/api/x_body/api${path}`, { headers: { authorization: `Bearer ${ada.token}`, accept: "application/json" } });

    test("setBody and a returned value are serialized inside {\"result\": …}: objects, arrays, strings and null alike", async () => {
      const object = await get("/object");
      assert.equal(object.status, 200, object.text);
      assert.match(object.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(object.text, '{"result":{"name":"incident","number":"1234","caller":{"id":"user1"}}}');
      assert.deepEqual((await get("/array")).body, { result: [{ name: "incident" }] });
      const string = await get("/string");
      assert.match(string.headers.get("content-type") ?? "", /^application\/json/);
      assert.equal(string.text, '{"result":"plain words"}');
      assert.deepEqual((await get("/returned")).body, { result: [{ number: "INC0011301" }] }, "the template's returned value");
      assert.equal((await get("/null")).text, '{"result":null}');
    });

    test("setError's envelope is never wrapped, even over a body set before it", async () => {
      const res = await get("/error");
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body, { error: { message: "gone", detail: "" }, status: "failure" });
    });

    test("getStreamWriter().writeString sends the text as written, with the status and content type set before it", async () => {
      const csv = await get("/stream");
      assert.equal(csv.status, 201, csv.text);
      assert.equal(csv.headers.get("content-type"), "text/csv");
      assert.equal(csv.text, "number,short_description\nINC0011301,42", "no wrapper, and a value returned after writing is not the answer");
      const json = await get("/stream-json");
      assert.equal(json.status, 200, json.text);
      assert.equal(json.text, '{"results":[1,2]}');
    });

    test("writeString needs the status and content type first; after it, status, headers and body are fixed", async () => {
      const unset = await get("/stream-rules/unset");
      assert.equal(unset.status, 200, unset.text);
      assert.equal(unset.body.result.length, 2);
      for (const message of unset.body.result) assert.match(message, /^writeString: set the status \(response\.setStatus\) and the content type/);
      const afterBody = await get("/stream-rules/after-body");
      assert.match(afterBody.body.result[0], /^writeString: the body was already set/);
      assert.match((await get("/stream-rules/stream")).body.result[0], /^writeStream: there are no streams in this sandbox/);
      const written = await get("/stream-rules/written");
      assert.equal(written.status, 202, written.text);
      assert.equal(written.headers.get("x-late"), null);
      assert.match(written.headers.get("content-type") ?? "", /^text\/plain/);
      assert.ok(written.text.startsWith("written;"), written.text);
      const refusals = JSON.parse(written.text.slice("written;".length)) as string[];
      assert.deepEqual(
        refusals.map((m) => m.split(":")[0]),
        ["response.setStatus", "response.setHeader", "response.setContentType", "response.setBody", "response.setError"],
      );
      for (const message of refusals) assert.match(message, /the response is being written by getStreamWriter\(\)/);
      const uncaught = await get("/stream-rules/uncaught");
      assert.equal(uncaught.status, 500, uncaught.text);
      assert.equal(uncaught.body.status, "failure");
      assert.equal(uncaught.body.error.detail, "the script threw an error");
    });
  });
}
