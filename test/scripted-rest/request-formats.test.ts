import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * What a script reads of the request, as ServiceNow documents it: RESTAPIRequest's queryParams
 * gives every parameter as a list ("queryParams.name; // ['now']"), a form's fields join them
 * ("Control request and response content type"), and an XML body is read as the "Scripted REST
 * API example - script samples" reads its <request><entry>… body.
 */
const docsSample =
  "(function process(/*RESTAPIRequest*/ request, /*RESTAPIResponse*/ response) {\nvar body = request.body.data,\nid0,name0,id1,name1;\nname0 = body[0].name;\nid0 = body[0].id;\nname1 = body[1].name;\nid1 = body[1].id;\n" +
  'return {\n"id": id0,\n"name": name0,\n"id1": id1,\n"name1": name1\n};\n})(request, response);';
const docsBody = "<request><entry>\n      <name>user0</name>\n      <id>1234</id>\n   </entry>\n   <entry>\n      <name>user1</name>\n      <id>5678</id>\n   </entry>\n</request>";

for (const dialect of dialectsUnderTest()) {
  describe(`request formats as the platform reads them, on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_fmt", "api", [
        { name: "params", http_method: "GET", relative_path: "/params", operation_script: "const q = request.queryParams; return { q, isList: Array.isArray(q.active), first: q.active[0], own: Object.keys(q) };" },
        { name: "form params", http_method: "POST", relative_path: "/form", operation_script: "response.setBody(request.queryParams);" },
        { name: "docs sample", http_method: "POST", relative_path: "/example/body", operation_script: docsSample },
        { name: "body", http_method: "POST", relative_path: "/body", operation_script: "const b = request.body; const entries = []; while (b.hasNext()) entries.push(b.nextEntry()); return { data: b.data, dataString: b.dataString, entries };" },
      ]);
    });
    after(() => server.close());

    const post = (path: string, contentType: string, body: string) => http(`${server.base}/api/x_fmt/api${path}`, { method: "POST", headers: { authorization: `Bearer ${ada.token}`, "content-type": contentType, accept: "application/json" }, body });

    test("a JSON body nested thousands deep is a 400, not a 500 from the stack; 64 levels reach the script", async () => {
      const deep = await post("/body", "application/json", "[".repeat(5000) + "]".repeat(5000));
      assert.equal(deep.status, 400, deep.text);
      assert.equal(deep.body.error.message, "the JSON body could not be read: it nests deeper than 64 levels");
      const fine = await post("/body", "application/json", "[".repeat(64) + "]".repeat(64));
      assert.equal(fine.status, 200, fine.text);
    });

    test("queryParams gives every parameter's values as a list of strings", async () => {
      const res = await api(server, "GET", "/api/x_fmt/api/params?active=false&name=now&tag=a&tag=b&empty=&__proto__=x", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result.q, { active: ["false"], name: ["now"], tag: ["a", "b"], empty: [""], ["__proto__"]: ["x"] });
      assert.equal(res.body.result.isList, true);
      assert.equal(res.body.result.first, "false");
      assert.deepEqual(res.body.result.own, ["active", "name", "tag", "empty", "__proto__"], "a parameter named __proto__ is a parameter like any other");
    });

    test("a form's fields join the query's parameters in queryParams, as the platform's example answers", async () => {
      const res = await post("/form?name3=value3&name4=value4", "application/x-www-form-urlencoded", "name1=value1&name2=value2&name3=again");
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { result: { name3: ["value3", "again"], name4: ["value4"], name1: ["value1"], name2: ["value2"] } });
    });

    test("the platform's XML sample: the root holds entries, data is their list, values are text", async () => {
      for (const type of ["application/xml", "text/xml; charset=utf-8"]) {
        const res = await post("/example/body", type, docsBody);
        assert.equal(res.status, 200, `${type}: ${res.text}`);
        assert.deepEqual(res.body, { result: { id: "1234", name: "user0", id1: "5678", name1: "user1" } });
      }
    });

    test("one entry is an object; a root without entries is its elements; dataString is the XML as sent", async () => {
      const one = await post("/body", "application/xml", "<request><entry><name>user1</name><roles><name>admin</name></roles><roles><name>itil</name></roles></entry></request>");
      assert.equal(one.status, 200, one.text);
      const entry = { name: "user1", roles: [{ name: "admin" }, { name: "itil" }] };
      assert.deepEqual(one.body.result.data, entry);
      assert.deepEqual(one.body.result.entries, [entry]);
      const text = '<?xml version="1.0" encoding="UTF-8"?>\n<incident state="1"><short_description>Tom &amp; Jerry &#233;</short_description><empty/></incident>';
      const plain = await post("/body", "application/vnd.acme+xml", text);
      assert.equal(plain.status, 200, plain.text);
      assert.deepEqual(plain.body.result.data, { short_description: "Tom & Jerry é", empty: "" }, "attributes are not kept");
      assert.equal(plain.body.result.dataString, text);
    });

    test("an XML body with a DOCTYPE, not well-formed, nested too deep or too large is refused before the script runs", async () => {
      const refused = async (body: string, reason: RegExp) => {
        const res = await post("/body", "application/xml", body);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, reason);
      };
      const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
      await refused(laughs, /the XML body could not be read: a DOCTYPE is not accepted/);
      await refused('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', /DOCTYPE/);
      await refused("<request><entry></request>", /not well-formed XML at line 1, column \d+/);
      await refused(`<r>${"<a>".repeat(100)}${"</a>".repeat(100)}</r>`, /nest deeper than 64 levels/);
      await refused("<r><__proto__><polluted>yes</polluted></__proto__></r>", /__proto__/);
      const big = await post("/body", "application/xml", `<r>${"<a>x</a>".repeat(10_000)}</r>`);
      assert.equal(big.status, 413, big.text);
    });

    test("a type no script reads is a 415 naming the types a script reads", async () => {
      const res = await post("/body", "application/octet-stream", "x");
      assert.equal(res.status, 415, res.text);
      assert.equal(res.body.error.message, "unsupported media type: a request body of Content-Type: application/octet-stream is not read here; send application/json, application/xml, text/xml, */*+xml, application/x-www-form-urlencoded or text/plain");
    });

    test("APIs with no XML form still refuse XML bodies (the Table API's writes read them: test/table-api/xml.test.ts)", async () => {
      const res = await http(`${server.base}/api/now/v1/batch`, { method: "POST", headers: { authorization: `Bearer ${ada.token}`, "content-type": "application/xml", accept: "application/json" }, body: "<request><batch_request_id>x</batch_request_id></request>" });
      assert.equal(res.status, 415, res.text);
      assert.match((res.body as { error: { message: string } }).error.message, /Content-Type: application\/xml is not read here; send application\/json$/);
    });
  });
}
