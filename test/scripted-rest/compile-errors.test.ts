import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

const endsOpen = "operation_script: SyntaxError: the script ends before a bracket, block or expression in it is complete (at the end of the script)";
const closesTooMany = "operation_script: SyntaxError: the script closes more brackets or blocks than it opens (a '}' or ')' too many)";

/** The saved script is the body of a function; its errors must speak of what the author wrote. */
for (const dialect of dialectsUnderTest()) {
  describe(`Scripted REST compile errors on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let definition: string;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      const def = await api(server, "POST", "/api/now/table/sys_ws_definition", { token: admin.token, body: { name: "compile", namespace: "x_compile", service_id: "v1" } });
      assert.equal(def.status, 201, def.text);
      definition = def.body.result.sys_id;
    });
    after(() => server.close());

    const save = (script: string) =>
      api(server, "POST", "/api/now/table/sys_ws_operation", { token: admin.token, body: { name: "r", web_service_definition: definition, http_method: "GET", relative_path: "/r", operation_script: script } });
    const refusal = async (script: string): Promise<string> => {
      const res = await save(script);
      assert.equal(res.status, 400, `${JSON.stringify(script)}: ${res.text}`);
      return res.body.error.message;
    };

    test("a script left open at its end is told so, without the wrapper's closing '}' or a ';' it never needed", async () => {
      for (const script of ["return (", "return { a: 1", "return [1, 2", "const total = 1 +\n", "if (request.userName) {\n  return 1;"]) {
        assert.equal(await refusal(script), endsOpen, JSON.stringify(script));
      }
    });

    test("a script that closes more than it opens is told so", async () => {
      for (const script of ["return 1;\n}", "return { a: 1 }}", "})"]) assert.equal(await refusal(script), closesTooMany, JSON.stringify(script));
    });

    test("an error inside the script keeps its line and column, counted from the script's own start", async () => {
      assert.equal(await refusal("const a = 1;\nreturn { a: a + };"), "operation_script: SyntaxError: unexpected token in expression: '}' (line 2, column 17)");
      assert.equal(await refusal("let x = ;\nreturn x;"), "operation_script: SyntaxError: unexpected token in expression: ';' (line 1, column 9)");
      assert.equal(await refusal("return 'open"), "operation_script: SyntaxError: unexpected end of string (line 1, column 8)");
      const stored = await api(server, "GET", `/api/now/table/sys_ws_operation?sysparm_query=web_service_definition=${definition}`, { token: admin.token });
      assert.equal(stored.body.result.length, 0, "nothing refused was stored");
      assert.equal((await save("return 1;\n// the end")).status, 201);
    });
  });
}
