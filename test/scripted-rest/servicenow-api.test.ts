import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";
import { xmlResponse } from "../support/xml.ts";

/**
 * The request, response and sn_ws_err a script sees, as ServiceNow documents RESTAPIRequest,
 * RESTAPIRequestBody, RESTAPIResponse and the "Scripted REST API example - script samples":
 * a script written for the platform reads and answers the same way here.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`ServiceNow's RESTAPIRequest and RESTAPIResponse on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_sn", "api", [
        {
          name: "template",
          http_method: "GET",
          relative_path: "/template",
          // As the platform's new resource form fills it in.
          operation_script: "(function process(/*RESTAPIRequest*/ request, /*RESTAPIResponse*/ response) {\n\n  // implement resource here\n  return { hello: request.queryParams.name };\n\n})(request, response);",
        },
        {
          name: "two templates",
          http_method: "GET",
          relative_path: "/two-templates",
          operation_script: "(function process(request, response) { response.setHeader('X-First', 'ran'); })(request, response);\n(function process(request, response) { response.setBody({ second: true }); })(request, response);",
        },
        { name: "comment runs", http_method: "GET", relative_path: "/comments", operation_script: "/**/".repeat(40) + "\nreturn 1;" },
        { name: "template, comment after", http_method: "GET", relative_path: "/template-commented", operation_script: "(function process(request, response) { return { done: true }; })(request, response); // done" },
        {
          name: "response edges",
          http_method: "GET",
          relative_path: "/edges/{kind}",
          operation_script:
            "const kind = request.pathParams.kind;\n" +
            "if (kind === 'status') { const e = new sn_ws_err.ServiceError('kept message'); e.setStatus(1000); throw e; }\n" +
            "if (kind === 'location') { response.setLocation('/café?q=1'); response.setStatus(201); return 'moved'; }\n" +
            "let refused = ''; try { for (let i = 0; i < 4; i++) response.setHeader('X-Big-' + i, 'a'.repeat(4000)); } catch (e) { refused = e.message; } return { refused };",
        },
        { name: "template in an expression", http_method: "GET", relative_path: "/assigned", operation_script: "/* c */ var r = /* t */ (function process(request, response) { return 2; })(request, response);\nresponse.setBody({ r: r });" },
        {
          name: "body",
          http_method: "POST",
          relative_path: "/body",
          operation_script:
            "const body = request.body; const entries = []; while (body.hasNext()) entries.push(body.nextEntry());\n" +
            "return { data: body.data, dataString: body.dataString, entries, after: body.nextEntry() === undefined, name: body.name, keys: Object.keys(body), json: JSON.parse(JSON.stringify(body)) };",
        },
        {
          name: "headers",
          http_method: "GET",
          relative_path: "/headers",
          operation_script:
            "return { Accept: request.headers.Accept, accept: request.headers.accept, custom: request.getHeader('X-CUSTOM'), customProp: request.headers['x-Custom'], has: 'Accept' in request.headers,\n" +
            "  missing: request.getHeader('x-missing') === undefined, auth: [request.getHeader('Authorization'), request.headers.Authorization, request.headers.cookie], keys: Object.keys(request.headers).filter((k) => k !== k.toLowerCase()),\n" +
            "  uri: request.uri, url: request.url, queryString: request.queryString, queryParams: request.queryParams, types: request.getSupportedResponseContentTypes() };",
        },
        {
          name: "response methods",
          http_method: "POST",
          relative_path: "/made",
          operation_script:
            "response.setStatus(201); response.setContentType('application/vnd.acme+json'); response.setLocation('https://example.test/items/1');\n" +
            "response.setHeaders({ 'X-Total-Count': 100, 'X-Kind': 'item' }); response.setBody({ made: true });",
        },
        { name: "bad header", http_method: "GET", relative_path: "/bad/{how}", operation_script: "try { if (request.pathParams.how === 'cookie') response.setHeaders({ 'Set-Cookie': 'a=b' }); else response.setContentType('text/plain\\r\\nX-Evil: 1'); } catch (e) { response.setStatus(400); return { refused: e.message }; }" },
        { name: "unchecked bad header", http_method: "GET", relative_path: "/unchecked", operation_script: "response.setHeaders({ 'Set-Cookie': 'a=b' }); return 1;" },
        {
          name: "errors",
          http_method: "GET",
          relative_path: "/error/{kind}",
          operation_script:
            "const kind = request.pathParams.kind;\n" +
            "if (kind === 'custom') { const e = new sn_ws_err.ServiceError(); e.setStatus(418); e.setMessage('I am a Teapot'); e.setDetail('Here are the details'); response.setError(e); return; }\n" +
            "if (kind === 'plain') { response.setError(new Error('plain failure')); return 'ignored'; }\n" +
            "if (kind === 'returned') return new sn_ws_err.BadRequestError('returned error');\n" +
            "if (kind === 'thrown') throw new sn_ws_err.NotFoundError('thrown error');\n" +
            "response.setError(new sn_ws_err[kind]('sample error message'));",
        },
        {
          name: "frozen",
          http_method: "POST",
          relative_path: "/frozen",
          operation_script:
            "request.body.data.a = 2; request.body.data = 1; request.headers.accept = 'x'; sn_ws_err.BadRequestError = null; sn_ws_err.NotFoundError.prototype.setStatus = null; response.setError = null;\n" +
            "return { frozen: [request, request.body, request.headers, response, sn_ws_err, sn_ws_err.ServiceError, sn_ws_err.NotFoundError.prototype].every(Object.isFrozen), data: request.body.data, accept: request.headers.accept,\n" +
            "  kept: typeof sn_ws_err.BadRequestError === 'function' && typeof sn_ws_err.NotFoundError.prototype.setStatus === 'function' && typeof response.setError === 'function', error: new sn_ws_err.NotFoundError('x') instanceof Error };",
        },
      ]);
    });
    after(() => server.close());

    const at = (path: string) => `${server.base}/api/x_sn/api${path}`;
    const post = (path: string, contentType: string, body: string) => http(at(path), { method: "POST", headers: { authorization: `Bearer ${ada.token}`, "content-type": contentType }, body });

    test("the platform's resource template answers with what its function returns; other scripts run as written", async () => {
      const res = await api(server, "GET", "/api/x_sn/api/template?name=ada", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { result: { hello: ["ada"] } });
      // Two calls are two statements: both run, as written.
      const two = await api(server, "GET", "/api/x_sn/api/two-templates", { token: ada.token });
      assert.equal(two.headers.get("x-first"), "ran");
      assert.deepEqual(two.body, { result: { second: true } });
      // Forty empty comments: the scan for the template is linear, so this answers at once (a backtracking one took minutes).
      const began = Date.now();
      const comments = await api(server, "GET", "/api/x_sn/api/comments", { token: ada.token });
      assert.equal(comments.status, 200, comments.text);
      assert.deepEqual(comments.body, { result: 1 });
      assert.ok(Date.now() - began < 20_000, `took ${Date.now() - began} ms`);
      assert.deepEqual((await api(server, "GET", "/api/x_sn/api/assigned", { token: ada.token })).body, { result: { r: 2 } });
      assert.deepEqual((await api(server, "GET", "/api/x_sn/api/template-commented", { token: ada.token })).body, { result: { done: true } }, "a comment after the call");
    });

    test("an error with a status that is no failure's answers 500 with its message; a Location is percent-encoded; headers have a total size", async () => {
      const status = await api(server, "GET", "/api/x_sn/api/edges/status", { token: ada.token });
      assert.equal(status.status, 500, status.text);
      assert.deepEqual(status.body, { error: { message: "kept message", detail: "" }, status: "failure" });
      const location = await api(server, "GET", "/api/x_sn/api/edges/location", { token: ada.token });
      assert.equal(location.status, 201, location.text);
      assert.equal(location.headers.get("location"), "/caf%C3%A9?q=1");
      const big = await api(server, "GET", "/api/x_sn/api/edges/headers", { token: ada.token });
      assert.equal(big.status, 200, big.text);
      assert.match(big.body.result.refused, /at most 8192 characters together/);
    });

    test("request.body is a RESTAPIRequestBody: data, dataString, and one entry for an object", async () => {
      const res = await post("/body", "application/json", '{"name": "user1", "id": 1234, "hasNext": "a field"}');
      assert.equal(res.status, 200, res.text);
      const data = { name: "user1", id: 1234, hasNext: "a field" };
      assert.deepEqual(res.body.result.data, data);
      assert.deepEqual(JSON.parse(res.body.result.dataString), data, "the same JSON, spacing aside");
      assert.deepEqual(res.body.result.entries, [data]);
      assert.equal(res.body.result.after, true, "nextEntry is undefined past the last entry");
      // Scripts written for earlier versions read the parsed object's fields on request.body.
      assert.equal(res.body.result.name, "user1");
      assert.deepEqual(res.body.result.keys, ["name", "id"], "documented members are not enumerable; a field named like one is shadowed");
      assert.deepEqual(res.body.result.json, { name: "user1", id: 1234 });
    });

    test("hasNext and nextEntry walk an array body; text and forms keep their dataString", async () => {
      const array = await post("/body", "application/json", '[{"name": "user1"}, {"name": "user2"}]');
      assert.equal(array.status, 200, array.text);
      assert.deepEqual(array.body.result.entries, [{ name: "user1" }, { name: "user2" }]);
      assert.deepEqual(array.body.result.keys, []);
      const text = await post("/body", "text/plain", "line one\n  line two");
      assert.equal(text.body.result.dataString, "line one\n  line two");
      assert.equal(text.body.result.data, "line one\n  line two");
      const form = await post("/body", "application/x-www-form-urlencoded", "name=ada&tag=a&tag=b");
      assert.deepEqual(form.body.result.data, { name: "ada", tag: ["a", "b"] });
      assert.equal(form.body.result.dataString, "name=ada&tag=a&tag=b");
      const none = await http(at("/body"), { method: "POST", headers: { authorization: `Bearer ${ada.token}` } });
      assert.equal(none.status, 200, none.text);
      assert.deepEqual([none.body.result.data, none.body.result.dataString, none.body.result.entries], [undefined, "", []]);
    });

    test("getHeader and headers.Name find a header whatever the case; credentials stay hidden; uri, url and queryString", async () => {
      const res = await api(server, "GET", "/api/x_sn/api/headers?active=false&name=now", { token: ada.token, headers: { "X-Custom": "custom value", cookie: "glide_session=1" } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.Accept, "application/json");
      assert.equal(res.body.result.accept, "application/json");
      assert.equal(res.body.result.custom, "custom value");
      assert.equal(res.body.result.customProp, "custom value");
      assert.equal(res.body.result.has, true);
      assert.equal(res.body.result.missing, true);
      assert.deepEqual(res.body.result.auth, [null, null, null], "Authorization and Cookie never reach the script (undefined, sent back as null)");
      assert.deepEqual(res.body.result.keys, [], "the names themselves are lowercase");
      assert.equal(res.body.result.uri, "/api/x_sn/api/headers");
      assert.equal(res.body.result.url, `${server.instance.config.publicUrl}/api/x_sn/api/headers?active=false&name=now`);
      assert.equal(res.body.result.queryString, "active=false&name=now");
      assert.deepEqual(res.body.result.queryParams, { active: ["false"], name: ["now"] }, "every parameter a list of strings, as RESTAPIRequest documents");
      assert.deepEqual(res.body.result.types, ["application/json"]);
      const listed = await http(`${server.base}/api/x_sn/api/headers`, { headers: { authorization: `Bearer ${ada.token}`, accept: "application/json;q=0.9, application/xml , */*;q=0.1" } });
      // That Accept prefers XML (q=1 over JSON's 0.9), so the answer is XML too.
      assert.deepEqual(xmlResponse(listed).result.types, ["application/json", "application/xml", "*/*"]);
    });

    test("setContentType, setLocation and setHeaders set headers; setBody keeps the script's content type", async () => {
      const res = await post("/made", "application/json", "{}");
      assert.equal(res.status, 201, res.text);
      assert.match(res.headers.get("content-type") ?? "", /^application\/vnd\.acme\+json/);
      assert.equal(res.headers.get("location"), "https://example.test/items/1");
      assert.equal(res.headers.get("x-total-count"), "100");
      assert.equal(res.headers.get("x-kind"), "item");
      assert.deepEqual(JSON.parse(res.text), { result: { made: true } });
    });

    test("headers set by setHeaders and setContentType follow the same rule as setHeader", async () => {
      const cookie = await api(server, "GET", "/api/x_sn/api/bad/cookie", { token: ada.token });
      assert.equal(cookie.status, 400, cookie.text);
      assert.match(cookie.body.result.refused, /^response\.setHeaders: Set-Cookie is set by the server/);
      const split = await api(server, "GET", "/api/x_sn/api/bad/split", { token: ada.token });
      assert.match(split.body.result.refused, /^response\.setContentType: the value may hold only/);
      assert.equal(split.headers.get("x-evil"), null);
      const unchecked = await api(server, "GET", "/api/x_sn/api/unchecked", { token: ada.token });
      assert.equal(unchecked.status, 500, unchecked.text);
      assert.equal(unchecked.headers.get("set-cookie"), null);
    });

    test("setError answers with the sn_ws_err type's status in the platform's error envelope", async () => {
      for (const [kind, status] of [["BadRequestError", 400], ["NotFoundError", 404], ["NotAcceptableError", 406], ["ConflictError", 409], ["UnsupportedMediaTypeError", 415]] as const) {
        const res = await api(server, "GET", `/api/x_sn/api/error/${kind}`, { token: ada.token });
        assert.equal(res.status, status, `${kind}: ${res.text}`);
        assert.deepEqual(res.body, { error: { message: "sample error message", detail: "" }, status: "failure" });
      }
      const custom = await api(server, "GET", "/api/x_sn/api/error/custom", { token: ada.token });
      assert.equal(custom.status, 418, custom.text);
      assert.deepEqual(custom.body, { error: { message: "I am a Teapot", detail: "Here are the details" }, status: "failure" });
      const plain = await api(server, "GET", "/api/x_sn/api/error/plain", { token: ada.token });
      assert.equal(plain.status, 500, plain.text);
      assert.deepEqual(plain.body, { error: { message: "plain failure", detail: "" }, status: "failure" }, "a returned value does not replace the error body");
      // Returned or thrown, an sn_ws_err error is the answer, as the platform's samples show.
      const returned = await api(server, "GET", "/api/x_sn/api/error/returned", { token: ada.token });
      assert.equal(returned.status, 400, returned.text);
      assert.deepEqual(returned.body, { error: { message: "returned error", detail: "" }, status: "failure" });
      const thrown = await api(server, "GET", "/api/x_sn/api/error/thrown", { token: ada.token });
      assert.equal(thrown.status, 404, thrown.text);
      assert.deepEqual(thrown.body, { error: { message: "thrown error", detail: "" }, status: "failure" });
    });

    test("request, its body and headers, response and sn_ws_err are frozen", async () => {
      const res = await post("/frozen", "application/json", '{"a": 1}');
      assert.equal(res.status, 200, res.text);
      // The script's own copy of the body's data is its to change; the objects it was given are not.
      assert.deepEqual(res.body, { result: { frozen: true, data: { a: 2 }, accept: "*/*", kept: true, error: true } });
    });
  });
}
