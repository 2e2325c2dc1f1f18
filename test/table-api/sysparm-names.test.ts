import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { attachmentCounts, pngBytes, uploadRaw } from "../attachments/attachment-support.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { countRows, definePersonImport } from "../support/import-sets.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * A sysparm_* name an API does not take is a 400 naming it, with the known name it is closest
 * to: the platform ignores `sysparm_qeury=priority=1` and answers with every record, which a
 * script then updates. The names the platform documents for each API, and those PySNC and pysnow
 * send it, are accepted whether this instance acts on them or not.
 */
const typo = { sysparm_qeury: "priority=1" };

function assertRefused(res: { status: number; body: any; text: string }, name: string, suggestion?: string): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.status, "failure");
  assert.ok(res.body.error.message.includes(`the parameter ${name} is not one`), res.body.error.message);
  if (suggestion) assert.ok(res.body.error.message.endsWith(`did you mean ${suggestion}?`), res.body.error.message);
  else assert.doesNotMatch(res.body.error.message, /did you mean/);
  assert.match(res.body.error.detail, /^invalid_request: /);
}

for (const dialect of dialectsUnderTest()) {
  describe(`sysparm_* names each API takes, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    const incidents: string[] = [];
    const get = (path: string, params: Record<string, string>) => api(server, "GET", `${path}?${q(params)}`, { token: admin.token });

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      for (const priority of ["1", "2", "3"]) {
        const res = await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: `Names ${priority}`, priority } });
        assert.equal(res.status, 201, res.text);
        incidents.push(res.body.result.sys_id);
      }
    });
    after(() => server.close());

    test("a misspelt sysparm_query is a 400 suggesting sysparm_query on the Table API's list (v1 and v2) and the Aggregate API, not every record", async () => {
      for (const path of ["/api/now/table/incident", "/api/now/v1/table/incident", "/api/now/v2/table/incident", "/api/now/stats/incident", "/api/now/v1/stats/incident"]) assertRefused(await get(path, typo), "sysparm_qeury", "sysparm_query");
      assertRefused(await get("/api/now/stats/incident", { sysparm_count: "true", sysparm_group_bye: "priority" }), "sysparm_group_bye", "sysparm_group_by");
      assertRefused(await get(`/api/now/table/incident/${incidents[0]}`, { sysparm_feilds: "number" }), "sysparm_feilds", "sysparm_fields");
      assertRefused(await get("/api/now/table/incident", { sysparm_limt: "1" }), "sysparm_limt", "sysparm_limit");
    });

    test("a PATCH, PUT, DELETE or POST naming an unknown sysparm_* is refused before it writes anything", async () => {
      const before = await tableCounts(server.instance.store);
      const [id] = incidents;
      for (const method of ["PATCH", "PUT"]) {
        assertRefused(await api(server, method, `/api/now/table/incident/${id}?${q({ sysparm_input_dispaly_value: "true" })}`, { token: admin.token, body: { short_description: "changed" } }), "sysparm_input_dispaly_value", "sysparm_input_display_value");
      }
      assertRefused(await api(server, "DELETE", `/api/now/table/incident/${id}?${q(typo)}`, { token: admin.token }), "sysparm_qeury", "sysparm_query");
      assertRefused(await api(server, "POST", `/api/now/table/incident?${q({ sysparm_suppress_auto_sys_fields: "true" })}`, { token: admin.token, body: { short_description: "new" } }), "sysparm_suppress_auto_sys_fields", "sysparm_suppress_auto_sys_field");
      assert.deepEqual(await tableCounts(server.instance.store), before, "nothing created, deleted or audited");
      const kept = await get(`/api/now/table/incident/${id}`, { sysparm_fields: "short_description,sys_mod_count" });
      assert.deepEqual(kept.body.result, { short_description: "Names 1", sys_mod_count: "0" });
    });

    test("without a near name the answer lists what the API reads; a sysparm name in the wrong case or spelt sysparam is still refused", async () => {
      const far = await get("/api/now/table/incident", { sysparm_frobnicate: "1" });
      assertRefused(far, "sysparm_frobnicate");
      assert.match(far.body.error.message, /it reads sysparm_query, sysparm_fields, sysparm_limit, /);
      assertRefused(await get("/api/now/table/incident", { SYSPARM_QUERY: "priority=1" }), "SYSPARM_QUERY", "sysparm_query");
      assertRefused(await get("/api/now/table/incident", { sysparam_query: "priority=1" }), "sysparam_query", "sysparm_query");
      assertRefused(await api(server, "DELETE", `/api/now/table/incident/${incidents[0]}?${q({ "sysparm-query": "x" })}`, { token: admin.token }), "sysparm-query", "sysparm_query");
      const carried = await get("/api/now/table/incident", { sysparm_record_count: "1" });
      assertRefused(carried, "sysparm_record_count", "sysparm_limit");
      assert.match(carried.body.error.message, /JSONv2/);
    });

    test("an unauthenticated request is a 401 whatever its parameters name", async () => {
      assert.equal((await api(server, "GET", `/api/now/table/incident?${q(typo)}`)).status, 401);
    });

    test("each parameter the platform documents for the Table API but this instance does not act on is accepted by every method", async () => {
      const ignored = { sysparm_view: "desktop", sysparm_query_category: "list", sysparm_read_replica_category: "list", sysparm_query_no_domain: "true", sysparm_suppress_auto_sys_field: "true", sysparm_count: "True" };
      for (const [name, value] of Object.entries(ignored)) {
        const listed = await get("/api/now/table/incident", { sysparm_query: "priority=1", [name]: value, sysparm_fields: "priority" });
        assert.equal(listed.status, 200, `${name}: ${listed.text}`);
        assert.deepEqual(listed.body.result, [{ priority: "1" }], `${name} leaves the query as it is`);
        assert.equal((await get(`/api/now/table/incident/${incidents[1]}`, { [name]: value })).status, 200, name);
        const created = await api(server, "POST", `/api/now/table/incident?${q({ [name]: value })}`, { token: admin.token, body: { short_description: `with ${name}` } });
        assert.equal(created.status, 201, `${name}: ${created.text}`);
        const patched = await api(server, "PATCH", `/api/now/table/incident/${created.body.result.sys_id}?${q({ [name]: value })}`, { token: admin.token, body: { priority: "4" } });
        assert.equal(patched.status, 200, `${name}: ${patched.text}`);
        assert.equal((await api(server, "DELETE", `/api/now/table/incident/${created.body.result.sys_id}?${q({ [name]: value })}`, { token: admin.token })).status, 204, name);
      }
    });

    test("PySNC's GlideRecord.get sends a list's parameters to GET /{sys_id}, and they are accepted", async () => {
      const params = { sysparm_query: "ORDERBYsys_id", sysparm_display_value: "all", sysparm_exclude_reference_link: "true", sysparm_limit: "100", sysparm_suppress_pagination_header: "true" };
      const res = await get(`/api/now/table/incident/${incidents[2]}`, params);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.sys_id.value, incidents[2]);
    });

    test("the Aggregate API accepts the read-replica categories, pysnow's legacy count and the parameters pysnow's Resource puts on every call", async () => {
      const cases: Record<string, string>[] = [
        { sysparm_query: "priority<=2", sysparm_count: "true", sysparm_query_category: "reporting", sysparm_read_replica_category: "reporting" },
        { sysparm_query: "priority<=2", sysparm_count: "True" },
        { sysparm_query: "priority<=2", sysparm_count: "true", sysparm_limit: "10000", sysparm_display_value: "False", sysparm_suppress_pagination_header: "False", sysparm_exclude_reference_link: "False", sysparm_view: "", sysparm_fields: "" },
      ];
      for (const params of cases) {
        const res = await get("/api/now/stats/incident", params);
        assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
        assert.deepEqual(res.body.result, { stats: { count: "2" } });
      }
    });

    test("the Attachment API refuses a misspelt name on its list, upload and delete, storing and deleting nothing; its documented names pass", async () => {
      const bytes = pngBytes();
      const start = await attachmentCounts(server);
      assertRefused(await uploadRaw(server, admin.token, { table_name: "incident", table_sys_id: incidents[0]!, file_name: "a.png", sysparm_encryption_context: "x" }, bytes, "image/png"), "sysparm_encryption_context");
      assert.deepEqual(await attachmentCounts(server), start);
      const uploaded = await uploadRaw(server, admin.token, { table_name: "incident", table_sys_id: incidents[0]!, file_name: "a.png" }, bytes, "image/png");
      assert.equal(uploaded.status, 201, uploaded.text);
      const id = uploaded.body.result.sys_id;
      assertRefused(await get("/api/now/attachment", { sysparm_qeury: `table_sys_id=${incidents[0]}` }), "sysparm_qeury", "sysparm_query");
      assertRefused(await get(`/api/now/v1/attachment/${id}`, { sysparm_display_valu: "true" }), "sysparm_display_valu", "sysparm_display_value");
      assertRefused(await api(server, "DELETE", `/api/now/attachment/${id}?${q(typo)}`, { token: admin.token }), "sysparm_qeury", "sysparm_query");
      assert.equal((await get(`/api/now/attachment/${id}`, {})).status, 200, "still there");
      const listed = await get("/api/now/attachment", { sysparm_query: `table_sys_id=${incidents[0]}`, sysparm_limit: "10", sysparm_offset: "0", sysparm_query_category: "list", sysparm_read_replica_category: "list", sysparm_view: "" });
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.result.map((r: any) => r.sys_id), [id]);
    });

    test("the Import Set API, which reads no sysparm_* parameter, refuses a misspelt one and writes nothing; pysnow's defaults pass", async () => {
      await definePersonImport(server, admin.token);
      const rows = await countRows(server, "u_imp_person");
      const body = { u_name: "Ada", u_email: "ada@example.com" };
      const refused = await api(server, "POST", `/api/now/import/u_imp_person?${q({ sysparm_transform: "false" })}`, { token: admin.token, body });
      assertRefused(refused, "sysparm_transform");
      assert.match(refused.body.error.message, /it reads no sysparm_\* parameter/);
      assertRefused(await api(server, "POST", `/api/now/v1/import/u_imp_person/insertMultiple?${q({ sysparm_limt: "1" })}`, { token: admin.token, body: { records: [body] } }), "sysparm_limt", "sysparm_limit");
      assert.equal(await countRows(server, "u_imp_person"), rows);
      const pysnow = { sysparm_query: "", sysparm_limit: "10000", sysparm_display_value: "False", sysparm_suppress_pagination_header: "False", sysparm_exclude_reference_link: "False", sysparm_view: "" };
      const loaded = await api(server, "POST", `/api/now/import/u_imp_person?${q(pysnow)}`, { token: admin.token, body });
      assert.equal(loaded.status, 201, loaded.text);
      assert.equal(await countRows(server, "u_imp_person"), rows + 1);
    });

    test("a Batch API sub-request with a misspelt name gets its own 400, and its siblings are served", async () => {
      const requests = [
        { id: "typo", method: "GET", url: `/api/now/table/incident?${q(typo)}`, headers: [] },
        { id: "fine", method: "GET", url: `/api/now/table/incident?${q({ sysparm_query: "priority=1", sysparm_fields: "priority" })}`, headers: [] },
      ];
      const res = await api(server, "POST", "/api/now/v1/batch", { token: admin.token, body: { batch_request_id: "1", rest_requests: requests } });
      assert.equal(res.status, 200, res.text);
      const [refused, served] = res.body.serviced_requests;
      assert.equal(refused.status_code, 400);
      assert.match(JSON.parse(Buffer.from(refused.body, "base64").toString()).error.message, /did you mean sysparm_query\?$/);
      assert.equal(served.status_code, 200);
    });
  });
}
