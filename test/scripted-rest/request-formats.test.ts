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
      ]);
    });
    after(() => server.close());

    const post = (path: string, contentType: string, body: string) => http(`${server.base}/api/x_fmt/api${path}`, { method: "POST", headers: { authorization: `Bearer ${ada.token}`, "content-type": contentType, accept: "application/json" }, body });

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
  });
}
