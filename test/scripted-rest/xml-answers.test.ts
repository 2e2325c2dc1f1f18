import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type ApiUser, apiUser } from "../support/table-api.ts";
import { xmlCall, xmlResponse } from "../support/xml.ts";

/**
 * The platform's Scripted REST APIs answer JSON or XML by default ("Control request and response
 * content type"): what it serializes itself follows the Accept header, as the Table API's answers do.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Scripted REST answers in XML on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "hana");
    });
    after(() => server.close());

    test("Scripted REST: what the platform serializes (setBody, a returned value, setError, a failure) follows Accept; a script's own type does not", async () => {
      await defineApi(server, admin, "x_xml", "demo", [
        { name: "object", http_method: "GET", relative_path: "/object", operation_script: "response.setBody({ name: 'a < b', list: [1, 2], 'not a name': 'kept', nested: { ok: true } });" },
        { name: "returned", http_method: "GET", relative_path: "/returned", operation_script: "return [{ number: 'INC1' }, { number: 'INC2' }];" },
        { name: "error", http_method: "GET", relative_path: "/error", operation_script: "response.setError(new sn_ws_err.NotFoundError('gone'));" },
        { name: "throws", http_method: "GET", relative_path: "/throws", operation_script: "throw new Error('boom');" },
        { name: "typed", http_method: "GET", relative_path: "/typed", operation_script: "response.setContentType('application/json'); response.setBody({ mine: true });" },
        { name: "echo", http_method: "POST", relative_path: "/echo", operation_script: "response.setBody(request.body.data);" },
      ]);
      const get = (path: string, accept = "application/xml") => xmlCall(server, "GET", `/api/x_xml/demo${path}`, { token: user.token, accept });
      assert.deepEqual(xmlResponse(await get("/object")), { result: { name: "a < b", list: ["1", "2"], item: { "@key": "not a name", "#text": "kept" }, nested: { ok: "true" } } });
      assert.deepEqual(xmlResponse(await get("/returned")).result, [{ number: "INC1" }, { number: "INC2" }]);
      const error = await get("/error");
      assert.equal(error.status, 404);
      assert.deepEqual(xmlResponse(error), { error: { message: "gone", detail: "" }, status: "failure" });
      const thrown = await get("/throws");
      assert.equal(thrown.status, 500);
      assert.match(xmlResponse(thrown).error.message, /Script error in resource "throws"/);
      const missing = await get("/nothing-here");
      assert.equal(missing.status, 404);
      assert.match(xmlResponse(missing).error.message, /no such resource/);
      const typed = await get("/typed");
      assert.equal(typed.body.result.mine, true, "the script chose JSON");
      assert.equal((await get("/object", "application/json")).body.result.name, "a < b");
      assert.equal((await get("/object", "*/*")).body.result.name, "a < b", "JSON stays the default");
      assert.equal(xmlResponse(await get("/object", "text/*")).result.name, "a < b", "text/* takes text/xml");
      assert.equal(xmlResponse(await get("/object", "application/json;q=0, */*")).result.name, "a < b");
      const echoed = await xmlCall(server, "POST", "/api/x_xml/demo/echo", { token: user.token, body: "<request><entry><name>user0</name></entry></request>" });
      assert.deepEqual(xmlResponse(echoed), { result: { name: "user0" } });
    });
  });
}
