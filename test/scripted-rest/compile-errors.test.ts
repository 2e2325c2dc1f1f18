import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

const endsOpen = "operation_script: SyntaxError: the script ends before a bracket, block or expression in it is complete (at the end of the script)";
const closesTooMany = (where: string) => `operation_script: SyntaxError: the script closes more brackets or blocks than it opens: a '}' too many (${where})`;

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

    const save = (script: string, path = "/r") =>
      api(server, "POST", "/api/now/table/sys_ws_operation", { token: admin.token, body: { name: "r", web_service_definition: definition, http_method: "GET", relative_path: path, operation_script: script } });
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

    test("a script that closes more than it opens is told where its '}' too many is", async () => {
      const cases: [string, string][] = [
        ["return 1;\n}", "line 2, column 1"],
        ["return { a: 1 }}", "line 1, column 16"],
        ["})", "line 1, column 1"],
        ["if (request.userName) {\n  gs.info('x');\n}\n}\nreturn 1;", "line 4, column 1"],
        ["return 1;}\nvar late = 2;", "line 1, column 10"],
        // A '}' in a comment, a string, a template or a regular expression closes nothing.
        ["// }\nvar s = '}' + `${'}'}` + /}/.source; /* } */\n  }", "line 3, column 3"],
      ];
      for (const [script, where] of cases) assert.equal(await refusal(script), closesTooMany(where), JSON.stringify(script));
    });

    test("a script that closes the function it is the body of and reopens one is refused, though the wrapper's braces balance it", async () => {
      assert.equal(await refusal("}); for (;;) {} (function () {"), closesTooMany("line 1, column 1"));
      assert.equal(await refusal("return 1;\n}, (function () {\n  for (;;) {}\n})(), function () {"), closesTooMany("line 2, column 1"));
      const stored = await api(server, "GET", `/api/now/table/sys_ws_operation?sysparm_query=web_service_definition=${definition}`, { token: admin.token });
      assert.equal(stored.body.result.length, 0, "nothing refused was stored");
    });

    test("an error inside the script keeps its line and column, counted from the script's own start", async () => {
      assert.equal(await refusal("const a = 1;\nreturn { a: a + };"), "operation_script: SyntaxError: unexpected token in expression: '}' (line 2, column 17)");
      assert.equal(await refusal("let x = ;\nreturn x;"), "operation_script: SyntaxError: unexpected token in expression: ';' (line 1, column 9)");
      assert.equal(await refusal("return 'open"), "operation_script: SyntaxError: unexpected end of string (line 1, column 8)");
      const stored = await api(server, "GET", `/api/now/table/sys_ws_operation?sysparm_query=web_service_definition=${definition}`, { token: admin.token });
      assert.equal(stored.body.result.length, 0, "nothing refused was stored");
      assert.equal((await save("return 1;\n// the end")).status, 201);
    });

    test("a script that parses as a function body is kept, whatever a block or Node's parser would say of it", async () => {
      // RegExp modifiers, which Node 20 refuses; a var and a function of one name, which a block would refuse;
      // an HTML-like comment, which hides the rest of its line from QuickJS as from the platform.
      const scripts = ["return /(?i:a)b/.test('Ab');", "var helper;\nfunction helper() { return 1; }\nreturn helper();", "x <!-- }); (function () {\nreturn 1;"];
      for (const [i, script] of scripts.entries()) assert.equal((await save(script, `/kept${i}`)).status, 201, JSON.stringify(script));
    });
  });
}
