import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`custom tables from sys_db_object and sys_dictionary records on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "ada");
    });
    after(() => server.close());

    const field = (body: Record<string, unknown>) => api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_asset", ...body } });

    test("an admin creates a table and its fields, and uses it through the API at once", async () => {
      const table = await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_asset", label: "Asset" } });
      assert.equal(table.status, 201, table.text);
      assert.equal(table.body.result.delete_roles, "admin");
      for (const body of [
        { element: "u_name", column_label: "Name", internal_type: "string", max_length: 40, mandatory: "true" },
        { element: "u_count", internal_type: "integer", default_value: "1" },
        { element: "u_in_use", internal_type: "boolean" },
        { element: "u_owner", internal_type: "reference", reference: "sys_user" },
        { element: "u_bought", internal_type: "glide_date_time" },
        { element: "u_kind", internal_type: "string", choices: "laptop,phone" },
      ]) {
        const res = await field(body);
        assert.equal(res.status, 201, `${JSON.stringify(body)}: ${res.text}`);
      }
      const created = await api(server, "POST", "/api/now/table/u_asset", { token: user.token, body: { u_name: "ThinkPad", u_in_use: true, u_owner: user.sysId, u_bought: "2026-01-02 03:04:05", u_kind: "laptop" } });
      assert.equal(created.status, 201, created.text);
      const r = created.body.result;
      assert.equal(r.u_name, "ThinkPad");
      assert.equal(r.u_count, "1");
      assert.equal(r.u_in_use, "true");
      assert.equal(r.u_owner.value, user.sysId);
      assert.equal(r.sys_created_by, "ada");
      const found = await api(server, "GET", `/api/now/table/u_asset?${q({ sysparm_query: "u_nameSTARTSWITHthink^u_in_use=true^u_bought>2026-01-01 00:00:00", sysparm_display_value: "true" })}`, { token: user.token });
      assert.equal(found.status, 200);
      assert.equal(found.headers.get("x-total-count"), "1");
      assert.deepEqual(found.body.result[0].u_owner, { display_value: "ada Name", link: `${server.url}/api/now/table/sys_user/${user.sysId}` });
      const patched = await api(server, "PATCH", `/api/now/table/u_asset/${r.sys_id}`, { token: user.token, body: { u_count: "3" } });
      assert.equal(patched.body.result.u_count, "3");
      assert.equal((await api(server, "POST", "/api/now/table/u_asset", { token: user.token, body: { u_count: 2 } })).status, 400, "u_name is mandatory");
      assert.equal((await api(server, "POST", "/api/now/table/u_asset", { token: user.token, body: { u_name: "x", u_kind: "tablet" } })).status, 400, "not a choice");
      assert.equal((await api(server, "POST", "/api/now/table/u_asset", { token: user.token, body: { u_name: "x".repeat(41) } })).status, 400, "too long");
      assert.equal((await api(server, "DELETE", `/api/now/table/u_asset/${r.sys_id}`, { token: user.token })).status, 403, "delete defaults to admin");
      assert.equal((await api(server, "DELETE", `/api/now/table/u_asset/${r.sys_id}`, { token: admin.token })).status, 204);
    });

    test("a read-only field with a default gets it at insert, and a writer still cannot set or change it", async () => {
      assert.equal((await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_ticket", create_roles: "", write_roles: "" } })).status, 201);
      for (const body of [
        { element: "u_title", internal_type: "string" },
        { element: "u_stage", internal_type: "string", read_only: "true", default_value: "new" },
        { element: "u_note", internal_type: "string", read_only: "true" },
      ]) {
        const res = await api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_ticket", ...body } });
        assert.equal(res.status, 201, res.text);
      }
      const created = await api(server, "POST", "/api/now/table/u_ticket", { token: user.token, body: { u_title: "a", u_stage: "done", u_note: "mine" } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual([created.body.result.u_stage, created.body.result.u_note], ["new", ""], "the default, not the writer's value; no default, empty");
      const patched = await api(server, "PATCH", `/api/now/table/u_ticket/${created.body.result.sys_id}`, { token: user.token, body: { u_title: "b", u_stage: "done" } });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual([patched.body.result.u_title, patched.body.result.u_stage], ["b", "new"], "an update neither sets it nor puts the default back");
    });

    test("the table's role lists are its ACL", async () => {
      const created = await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_secret_plans", read_roles: "planner, admin", create_roles: "planner" } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.result.read_roles, "planner,admin", "a list written with spaces, as the platform's forms do, is stored tidy");
      assert.equal((await api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_secret_plans", element: "u_plan", internal_type: "string" } })).status, 201);
      assert.equal((await api(server, "GET", "/api/now/table/u_secret_plans", { token: user.token })).status, 403);
      assert.equal((await api(server, "POST", "/api/now/table/u_secret_plans", { token: user.token, body: { u_plan: "x" } })).status, 403);
      const plans = await api(server, "GET", "/api/now/table/u_secret_plans", { token: admin.token });
      assert.equal(plans.status, 200);
    });

    test("bad names, types and references are 400s that create nothing; only admin defines tables", async () => {
      const counts = await tableCounts(server.instance.store);
      const tables: Record<string, unknown>[] = [
        { name: "asset" },
        { name: "sys_user" },
        { name: "u_" },
        { name: "u_Asset" },
        { name: 'u_x"; drop table sys_user; --' },
        { name: "u_x", read_roles: "admin; drop" },
        { name: `u_${"a".repeat(80)}` },
        { name: "u_asset" },
      ];
      for (const body of tables) {
        const res = await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body });
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      }
      const fields: Record<string, unknown>[] = [
        { element: "name", internal_type: "string" },
        { element: "u_a b", internal_type: "string" },
        { element: "u_x", internal_type: "blob" },
        { element: "u_x", internal_type: "reference" },
        { element: "u_x", internal_type: "reference", reference: "no_such_table" },
        { element: "u_x", internal_type: "integer", default_value: "many" },
        { element: "u_name", internal_type: "string" },
        { name: "incident", element: "u_x", internal_type: "string" },
        { name: "u_nothing", element: "u_x", internal_type: "string" },
      ];
      for (const body of fields) {
        const res = await field(body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      }
      assert.equal((await api(server, "POST", "/api/now/table/sys_db_object", { token: user.token, body: { name: "u_mine" } })).status, 403);
      assert.deepEqual(await tableCounts(server.instance.store), counts);
    });

    test("what SQL is built from cannot change; labels and mandatory can", async () => {
      const entry = (await api(server, "GET", `/api/now/table/sys_dictionary?${q({ sysparm_query: "name=u_asset^element=u_count" })}`, { token: admin.token })).body.result[0];
      const path = `/api/now/table/sys_dictionary/${entry.sys_id}`;
      assert.equal((await api(server, "PATCH", path, { token: admin.token, body: { internal_type: "string" } })).status, 400);
      assert.equal((await api(server, "PATCH", path, { token: admin.token, body: { element: "u_other" } })).status, 400);
      const stale = await api(server, "PATCH", path, { token: admin.token, body: { column_label: "Count" }, headers: { "if-match": `"${Number(entry.sys_mod_count) + 1}"` } });
      assert.equal(stale.status, 412, "the dictionary's writer honours If-Match too");
      const relabelled = await api(server, "PATCH", path, { token: admin.token, body: { column_label: "Count", mandatory: "true" }, headers: { "if-match": `"${entry.sys_mod_count}"` } });
      assert.equal(relabelled.status, 200, relabelled.text);
      assert.equal((await api(server, "POST", "/api/now/table/u_asset", { token: user.token, body: { u_name: "y", u_count: "" } })).status, 400, "now mandatory");
      const table = (await api(server, "GET", "/api/now/table/sys_db_object?sysparm_query=name=u_asset", { token: admin.token })).body.result[0];
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_db_object/${table.sys_id}`, { token: admin.token, body: { name: "u_renamed" } })).status, 400);
    });

    test("deleting a field drops its column; deleting the table drops it and its dictionary", async () => {
      const entry = (await api(server, "GET", `/api/now/table/sys_dictionary?${q({ sysparm_query: "name=u_asset^element=u_owner" })}`, { token: admin.token })).body.result[0];
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_dictionary/${entry.sys_id}`, { token: admin.token })).status, 204);
      assert.equal((await api(server, "GET", "/api/now/table/u_asset?sysparm_query=u_ownerISEMPTY", { token: user.token })).status, 400);
      const table = (await api(server, "GET", "/api/now/table/sys_db_object?sysparm_query=name=u_asset", { token: admin.token })).body.result[0];
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_db_object/${table.sys_id}`, { token: admin.token, headers: { "if-match": `"${Number(table.sys_mod_count) + 1}"` } })).status, 412, "a stale drop drops nothing");
      assert.equal((await api(server, "GET", "/api/now/table/u_asset", { token: admin.token })).status, 200);
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_db_object/${table.sys_id}`, { token: admin.token, headers: { "if-match": "*" } })).status, 204);
      assert.equal((await api(server, "GET", "/api/now/table/u_asset", { token: admin.token })).status, 404);
      assert.equal((await api(server, "GET", "/api/now/table/sys_dictionary?sysparm_query=name=u_asset", { token: admin.token })).body.result.length, 0);
      const again = await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_asset" } });
      assert.equal(again.status, 201, "the name is free again");
    });

    test("a text operator on a reference looks at the referenced record's name only where the caller may read it", async () => {
      assert.equal((await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_grant", label: "Grant" } })).status, 201);
      assert.equal((await api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_grant", element: "u_client", internal_type: "reference", reference: "oauth_entity" } })).status, 201);
      const client = await registerClient(server.instance, { name: "Payroll" });
      assert.equal((await api(server, "POST", "/api/now/table/u_grant", { token: admin.token, body: { u_client: client.sysId } })).status, 201);
      const count = async (token: string, query: string) => (await api(server, "GET", `/api/now/table/u_grant?${q({ sysparm_query: query })}`, { token })).body.result.length;
      assert.equal(await count(admin.token, "u_clientSTARTSWITHpayroll"), 1, "an admin reads oauth_entity: the name matches");
      // oauth_entity is admin-only: for anyone else the filter cannot reveal a client's name one guess at a time.
      assert.equal(await count(user.token, "u_clientSTARTSWITHpayroll"), 0);
      assert.equal(await count(user.token, `u_clientSTARTSWITH${client.sysId.slice(0, 12)}`), 1, "the sys_id, as before");
    });
  });
}
