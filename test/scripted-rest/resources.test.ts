import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import { openSqlite, type Store } from "../../src/store/database.ts";
import { adminPassword, freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Scripted REST APIs on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    let bob: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada", ["itil"]);
      bob = await apiUser(server, "bob");
      await defineApi(server, admin, "x_demo", "items", [
        { name: "one item", http_method: "GET", relative_path: "/items/{id}", operation_script: "return { id: request.pathParams.id, q: request.queryParams, user: request.userName, roles: request.roles };" },
        { name: "new item form", http_method: "GET", relative_path: "/items/new", operation_script: "return { form: true };" },
        { name: "note of item", http_method: "GET", relative_path: "/items/{id}/notes/{note}", operation_script: "return request.pathParams;" },
        { name: "echo", http_method: "POST", relative_path: "/echo", operation_script: "response.setStatus(201); response.setHeader('X-Echo', 'yes'); response.setBody({ body: request.body, type: request.headers['content-type'], auth: request.headers.authorization === undefined });" },
        { name: "text", http_method: "GET", relative_path: "/", requires_authentication: false, operation_script: "response.setStatus(200); response.setHeader('Content-Type', 'text/csv'); response.getStreamWriter().writeString('a,b\\n1,2');" },
        { name: "guest", http_method: "GET", relative_path: "/guest", requires_authentication: false, operation_script: "let refused = ''; try { await table.query('incident', '', 1); } catch (e) { refused = e.message; } return { user: request.userName, roles: request.roles, refused };" },
        { name: "itil only", http_method: "GET", relative_path: "/itil", roles_required: "itil,itil_admin", operation_script: "return { ok: request.userName };" },
        { name: "incidents", http_method: "POST", relative_path: "/incidents", operation_script: "const id = await table.insert('incident', { short_description: request.body.text }); const rec = await table.get('incident', id); const found = await table.query('incident', 'short_descriptionSTARTSWITH' + request.body.text, 5); return { id, number: rec.number, by: rec.sys_created_by, found: found.length };" },
        { name: "users", http_method: "GET", relative_path: "/users/{name}", operation_script: "try { const rows = await table.query('sys_user', 'user_name=' + request.pathParams.name, 1); return { count: rows.length, failed: rows[0] ? rows[0].failed_attempts : null }; } catch (e) { response.setStatus(403); return { refused: e.message }; }" },
        { name: "callers", http_method: "GET", relative_path: "/callers/{prefix}", operation_script: "const rows = await table.query('incident', 'caller_idSTARTSWITH' + request.pathParams.prefix, 10); return rows.map((r) => r.short_description);" },
        { name: "make role", http_method: "POST", relative_path: "/roles", operation_script: "try { await table.insert('sys_user_role', { name: 'made_by_script' }); return { made: true }; } catch (e) { response.setStatus(403); return { refused: e.message }; }" },
      ]);
    });
    after(() => server.close());

    const call = (method: string, path: string, options: Parameters<typeof api>[3] = {}) => api(server, method, `/api/x_demo/items${path}`, options);

    test("path parameters, query parameters, the caller's name and roles reach the script", async () => {
      const res = await call("GET", `/items/42?${q({ a: "1", b: "two" })}`, { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { result: { id: "42", q: { a: ["1"], b: ["two"] }, user: "ada", roles: ["itil"] } });
      assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    });

    test("the most specific path wins; several parameters match", async () => {
      assert.deepEqual((await call("GET", "/items/new", { token: ada.token })).body, { result: { form: true } });
      assert.equal((await call("GET", "/items/newer", { token: ada.token })).body.result.id, "newer");
      assert.deepEqual((await call("GET", "/items/7/notes/9", { token: ada.token })).body, { result: { id: "7", note: "9" } });
    });

    test("a script's text operator on a reference matches the referenced record's display value, as a Table API list does", async () => {
      await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: "called by the administrator", caller_id: admin.sysId } });
      const res = await call("GET", "/callers/system", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { result: ["called by the administrator"] });
    });

    test("a JSON body is echoed; credentials never reach the script; status and headers are the script's", async () => {
      const res = await call("POST", "/echo", { token: ada.token, body: { hello: ["world", 1] } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers.get("x-echo"), "yes");
      assert.deepEqual(res.body, { result: { body: { hello: ["world", 1] }, type: "application/json", auth: true } });
      const form = await http(`${server.base}/api/x_demo/items/echo`, { method: "POST", headers: { authorization: `Bearer ${ada.token}`, "content-type": "application/x-www-form-urlencoded" }, body: "name=ada&tag=a&tag=b" });
      assert.equal(form.status, 201, form.text);
      assert.deepEqual(form.body.result.body, { name: "ada", tag: ["a", "b"] }, "a form's fields, a repeated one as a list");
    });

    test("unknown paths are 404 and a known path with another method is 405, in the Table API envelope", async () => {
      const missing = await call("GET", "/nothing/here", { token: ada.token });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.status, "failure");
      const wrong = await call("DELETE", "/echo", { token: ada.token });
      assert.equal(wrong.status, 405, wrong.text);
      assert.equal(wrong.headers.get("allow"), "POST");
      assert.equal(wrong.body.status, "failure");
      assert.equal((await api(server, "GET", "/api/x_nothing/here/at/all", { token: ada.token })).status, 404);
      // The built-in APIs still answer beside the wildcard.
      assert.equal((await api(server, "GET", "/api/now/table/incident?sysparm_limit=1", { token: ada.token })).status, 200);
      assert.equal((await api(server, "GET", "/api/now/nothing/here", { token: ada.token })).status, 404);
    });

    test("authentication: required resources refuse anonymous callers; open ones run as guest without roles", async () => {
      const anonymous = await call("GET", "/items/1");
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.status, "failure");
      const badToken = await call("GET", "/items/1", { token: "not-a-token" });
      assert.equal(badToken.status, 401);
      const viaBasic = await call("GET", "/items/1", { authorization: basic("ada", ada.password) });
      assert.equal(viaBasic.status, 200, viaBasic.text);
      assert.equal(viaBasic.body.result.user, "ada");
      const text = await call("GET", "/");
      assert.equal(text.status, 200);
      assert.equal(text.text, "a,b\n1,2");
      assert.equal(text.headers.get("content-type"), "text/csv");
      const guest = await call("GET", "/guest", { token: ada.token });
      assert.equal(guest.body.result.user, "guest");
      assert.deepEqual(guest.body.result.roles, []);
      assert.match(guest.body.result.refused, /guest may not read/);
    });

    test("a client_credentials token that acts for no user is refused naming the API called, not the Table API", async () => {
      const client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(issued.status, 200, issued.text);
      const scripted = await call("GET", "/items/1", { token: issued.body.access_token });
      assert.equal(scripted.status, 403, scripted.text);
      assert.equal(scripted.body.error.message, "this token acts for no user; give the client a client_credentials_user to use the Scripted REST API");
      const tableApi = await api(server, "GET", "/api/now/table/incident", { token: issued.body.access_token });
      assert.match(tableApi.body.error.message, /client_credentials_user to use the Table API$/);
    });

    test("roles required: a caller with none of them is refused, one with any of them (or admin) gets in", async () => {
      const refused = await call("GET", "/itil", { token: bob.token });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.status, "failure");
      assert.equal((await call("GET", "/itil", { token: ada.token })).status, 200);
      assert.equal((await call("GET", "/itil", { token: admin.token })).status, 200);
    });

    test("the data API reads and writes as the caller through the Table API's ACL, validation and audit", async () => {
      const res = await call("POST", "/incidents", { token: ada.token, body: { text: "printer on fire" } });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.result.number, /^INC\d{7}$/);
      assert.equal(res.body.result.by, "ada");
      assert.equal(res.body.result.found, 1);
      const audit = await api(server, "GET", `/api/now/table/sys_audit?${q({ sysparm_query: `documentkey=${res.body.result.id}^fieldname=short_description` })}`, { token: admin.token });
      assert.equal(audit.body.result[0].user, "ada");
      // Field-level read ACL: bob may read users but not their failed login count.
      const users = await call("GET", "/users/admin", { token: bob.token });
      assert.equal(users.status, 200, users.text);
      assert.equal(users.body.result.count, 1);
      assert.equal(users.body.result.failed, undefined);
      assert.match((await call("GET", "/users/admin", { token: admin.token })).body.result.failed, /^\d+$/);
      // Table ACL: only admins create roles; the refusal reaches the script as an error it may catch.
      const refused = await call("POST", "/roles", { token: bob.token, body: {} });
      assert.equal(refused.status, 403);
      assert.match(refused.body.result.refused, /bob may not create/);
      assert.equal((await api(server, "GET", `/api/now/table/sys_user_role?${q({ sysparm_query: "name=made_by_script" })}`, { token: admin.token })).body.result.length, 0);
      assert.equal((await call("POST", "/roles", { token: admin.token, body: {} })).body.result.made, true);
    });

    test("definitions and resources are admin-only records, validated on the way in", async () => {
      const post = (table: string, body: unknown, token = admin.token) => api(server, "POST", `/api/now/table/${table}`, { token, body });
      assert.equal((await post("sys_ws_definition", { name: "n", namespace: "x_b", service_id: "s" }, ada.token)).status, 403);
      assert.equal((await api(server, "GET", "/api/now/table/sys_ws_operation", { token: ada.token })).status, 403);
      for (const [body, field] of [
        [{ name: "n", namespace: "now", service_id: "table" }, "namespace"],
        [{ name: "n", namespace: "portcullis", service_id: "x" }, "namespace"],
        [{ name: "n", namespace: "X Y", service_id: "x" }, "namespace"],
        [{ name: "n", namespace: "x_ok", service_id: "../etc" }, "service_id"],
        [{ name: "n", namespace: "x_demo", service_id: "items" }, "service_id"],
      ] as const) {
        const res = await post("sys_ws_definition", body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.match(res.body.error.message, new RegExp(field));
      }
      const def = await post("sys_ws_definition", { name: "checks", namespace: "x_checks", service_id: "v1" });
      assert.equal(def.status, 201);
      assert.equal(def.body.result.base_uri, "/api/x_checks/v1");
      const op = (body: Record<string, unknown>) => post("sys_ws_operation", { name: "r", web_service_definition: def.body.result.sys_id, http_method: "GET", relative_path: "/a/{id}", operation_script: "return 1", ...body });
      assert.equal((await op({})).status, 201);
      for (const body of [{ http_method: "TRACE" }, { relative_path: "a" }, { relative_path: "/a/{id}/{id}" }, { relative_path: "/a/{x" }, { relative_path: "/a/{other}" }, { roles_required: "a b" }, { web_service_definition: "0".repeat(32) }]) {
        const res = await op(body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      }
      assert.match((await op({ relative_path: "/a/{other}" })).body.error.message, /the resource "r" already answers GET \/a\/\{id\}/, "the clash names the path as written");
      const spaced = await op({ relative_path: "/spaced", roles_required: " itil , admin" });
      assert.equal(spaced.status, 201, spaced.text);
      assert.equal(spaced.body.result.roles_required, "itil,admin", "a list written with spaces is stored tidy");
      const trace = await op({ http_method: "TRACE" });
      assert.equal(trace.body.error.message, 'http_method: must be one of GET, POST, PUT, PATCH, DELETE, not "TRACE"', "one issue: a refused value is not also reported missing");
      // Renaming the API moves its base path.
      const moved = await api(server, "PATCH", `/api/now/table/sys_ws_definition/${def.body.result.sys_id}`, { token: admin.token, body: { service_id: "v2" } });
      assert.equal(moved.body.result.base_uri, "/api/x_checks/v2");
      assert.deepEqual((await api(server, "GET", "/api/x_checks/v2/a/1", { token: ada.token })).body, { result: 1 });
      assert.equal((await api(server, "GET", "/api/x_checks/v1/a/1", { token: ada.token })).status, 404);
    });

    test("a script that does not compile is refused on save, naming its line, and nothing is stored or changed", async () => {
      const def = await api(server, "POST", "/api/now/table/sys_ws_definition", { token: admin.token, body: { name: "syntax", namespace: "x_syntax", service_id: "v1" } });
      assert.equal(def.status, 201, def.text);
      const definition = def.body.result.sys_id;
      const count = async () => (await api(server, "GET", `/api/now/table/sys_ws_operation?${q({ sysparm_query: `web_service_definition=${definition}` })}`, { token: admin.token })).body.result.length;
      const refused = await api(server, "POST", "/api/now/table/sys_ws_operation", {
        token: admin.token,
        body: { name: "broken", web_service_definition: definition, http_method: "GET", relative_path: "/b", operation_script: "const a = 1;\nreturn { a: a + };" },
      });
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.body.error.message, /operation_script: SyntaxError: .+ \(line 2, column 17\)/);
      assert.equal(await count(), 0);
      const open = await api(server, "POST", "/api/now/table/sys_ws_operation", { token: admin.token, body: { name: "open", web_service_definition: definition, http_method: "GET", relative_path: "/o", operation_script: "return { a: 1" } });
      assert.equal(open.status, 400, open.text);
      assert.match(open.body.error.message, /operation_script: SyntaxError: .+ \(at the end of the script\)/);
      // Compiled, never run: a loop outside the function body does not hang the save, and is refused as no function body.
      const escape = await api(server, "POST", "/api/now/table/sys_ws_operation", { token: admin.token, body: { name: "escape", web_service_definition: definition, http_method: "GET", relative_path: "/e", operation_script: "}); for (;;) {} (function () {" } });
      assert.equal(escape.status, 400, escape.text);
      assert.match(escape.body.error.message, /operation_script: SyntaxError: .+ \(line 1, column 1\)/);
      assert.equal(await count(), 0);

      const good = await api(server, "POST", "/api/now/table/sys_ws_operation", { token: admin.token, body: { name: "good", web_service_definition: definition, http_method: "GET", relative_path: "/g", operation_script: "return 'good'" } });
      assert.equal(good.status, 201, good.text);
      const id = good.body.result.sys_id;
      const edit = await api(server, "PATCH", `/api/now/table/sys_ws_operation/${id}`, { token: admin.token, body: { name: "renamed", operation_script: "return 'good" } });
      assert.equal(edit.status, 400, edit.text);
      const kept = await api(server, "GET", `/api/now/table/sys_ws_operation/${id}`, { token: admin.token });
      assert.equal(kept.body.result.name, "good", "a refused edit changes no field");
      assert.equal(kept.body.result.operation_script, "return 'good'");
      assert.deepEqual((await api(server, "GET", "/api/x_syntax/v1/g", { token: ada.token })).body, { result: "good" });
    });

    test("a change is live at once on another node sharing the database", async () => {
      const other = await secondNode(server);
      try {
        const { definition, operations } = await defineApi(server, admin, "x_live", "api", [{ http_method: "GET", relative_path: "/v", operation_script: "return 'one'" }]);
        const at = (path: string) => http(`${other.base}/api/x_live/api${path}`, { headers: { authorization: `Bearer ${ada.token}` } });
        assert.deepEqual((await at("/v")).body, { result: "one" });
        await api(server, "PATCH", `/api/now/table/sys_ws_operation/${operations[0]}`, { token: admin.token, body: { operation_script: "return 'two'" } });
        assert.deepEqual((await at("/v")).body, { result: "two" });
        await api(server, "PATCH", `/api/now/table/sys_ws_operation/${operations[0]}`, { token: admin.token, body: { active: false } });
        assert.equal((await at("/v")).status, 404);
        await api(server, "PATCH", `/api/now/table/sys_ws_operation/${operations[0]}`, { token: admin.token, body: { active: true } });
        assert.equal((await at("/v")).status, 200);
        assert.equal((await api(server, "DELETE", `/api/now/table/sys_ws_definition/${definition}`, { token: admin.token })).status, 204);
        assert.equal((await at("/v")).status, 404);
        assert.equal((await api(server, "GET", `/api/now/table/sys_ws_operation/${operations[0]}`, { token: admin.token })).status, 404);
      } finally {
        await other.close();
      }
    });
  });
}

/** Another server on the same database: its own SQLite connection, or the same PostgreSQL store. */
async function secondNode(first: TestInstance): Promise<{ base: string; close(): Promise<void> }> {
  const shared = first.instance.store;
  const store: Store = shared.dialect === "sqlite" ? openSqlite(shared.location) : { db: shared.db, dialect: shared.dialect, location: shared.location, close: async () => {} };
  const port = await freePort();
  // Behind the first node's public URL, as every node of one database is (src/public-url-check.ts).
  const config = loadConfig({ dataDir: tempDir(), port, host: "127.0.0.1", publicUrl: first.instance.config.publicUrl, adminPassword, logLevel: "silent", secretKey: first.instance.config.secretKey });
  const server = await startServer(config, { store, logger: false, print: () => {} });
  return { base: `http://127.0.0.1:${port}`, close: () => server.close() };
}
