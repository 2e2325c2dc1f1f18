import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { SandboxLimits } from "../../src/scripting/sandbox-contract.ts";
import { runScriptOnThread } from "../../src/scripting/script-thread-pool.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * updateMultiple() and deleteMultiple() over a GlideRecord's query: one data call per record,
 * as the caller, and nothing written when the query is invalid or the caller may not write.
 */
const scripts = {
  update: `var gr = new GlideRecord('incident'); gr.addQuery('short_description', 'STARTSWITH', request.body.data.prefix); gr.addQuery('state', 1);
var v = request.body.data.values; for (var k in v) gr.setValue(k, v[k]);
if (request.body.data.invalid) gr.addQuery('no_such_field', 'x');
gr.updateMultiple(); return { error: gr.getLastErrorMessage() };`,
  remove: `var gr = new GlideRecord('incident'); gr.addQuery('short_description', 'STARTSWITH', request.body.data.prefix);
if (request.body.data.invalid) gr.addQuery('priority', 'LOOKS LIKE', 1);
gr.deleteMultiple(); return { error: gr.getLastErrorMessage() };`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideRecord updateMultiple and deleteMultiple on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    const count = async (query: string) => (await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: query, sysparm_fields: "sys_id", sysparm_limit: "1000" })}`, { token: admin.token })).body.result.length;
    before(async () => {
      // 105 records cross a page of 100 while each write takes its record out of the query.
      server = await startTestInstance(dialect, { scriptTimeoutMs: 20_000 });
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_bulk", "t", [
        { name: "update", http_method: "POST", relative_path: "/update", operation_script: scripts.update },
        { name: "remove", http_method: "POST", relative_path: "/remove", operation_script: scripts.remove },
      ]);
      for (let i = 0; i < 105; i++) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: `bulk ${i}` } })).status, 201);
      assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: "keep me" } })).status, 201);
    });
    after(() => server.close());

    test("an invalid query or a refused value changes nothing and says why", async () => {
      const invalid = await api(server, "POST", "/api/x_bulk/t/update", { token: ada.token, body: { prefix: "bulk ", values: { state: "3" }, invalid: true } });
      assert.equal(invalid.status, 200, invalid.text);
      assert.match(invalid.body.result.error, /has no field "no_such_field"/);
      assert.equal(await count("state=3"), 0, "not every record: none");
      // An empty search term is no condition that matches everything (STARTSWITH needs a value).
      const empty = await api(server, "POST", "/api/x_bulk/t/update", { token: ada.token, body: { prefix: "", values: { state: "3" } } });
      assert.equal(empty.status, 200, empty.text);
      assert.match(empty.body.result.error, /STARTSWITH needs a value/);
      assert.equal(await count("state=3"), 0, "an empty prefix wrote nothing either");
      const refused = await api(server, "POST", "/api/x_bulk/t/update", { token: ada.token, body: { prefix: "bulk ", values: { state: "not a number" } } });
      assert.equal(refused.status, 200, refused.text);
      assert.match(refused.body.result.error, /state/);
      assert.equal(await count("state=1"), 106);
      const gone = await api(server, "POST", "/api/x_bulk/t/remove", { token: admin.token, body: { prefix: "", invalid: true } });
      assert.match(gone.body.result.error, /unknown operator/);
      assert.equal(await count(""), 106);
    });

    test("updateMultiple writes every matching record as the caller, each audited, across pages the writes change", async () => {
      const res = await api(server, "POST", "/api/x_bulk/t/update", { token: ada.token, body: { prefix: "bulk ", values: { state: "2", description: "bulk edited" } } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.error, null);
      assert.equal(await count("short_descriptionSTARTSWITHbulk ^state=2^description=bulk edited^sys_updated_by=ada"), 105);
      assert.equal(await count("short_description=keep me^state=1"), 1, "a record the query does not find is not written");
      const one = (await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: "short_description=bulk 104", sysparm_fields: "sys_id" })}`, { token: admin.token })).body.result[0];
      const audit = await api(server, "GET", `/api/now/table/sys_audit?${q({ sysparm_query: `documentkey=${one.sys_id}^fieldname=state^oldvalue=1` })}`, { token: admin.token });
      assert.deepEqual(audit.body.result.map((a: { oldvalue: string; newvalue: string; user: string }) => [a.oldvalue, a.newvalue]), [["1", "2"]]);
    });

    test("deleteMultiple removes each record through the caller's delete right", async () => {
      const refused = await api(server, "POST", "/api/x_bulk/t/remove", { token: ada.token, body: { prefix: "bulk " } });
      assert.equal(refused.status, 200, refused.text);
      assert.match(refused.body.result.error, /ada may not delete records of the table incident/);
      assert.equal(await count("short_descriptionSTARTSWITHbulk "), 105);
      const removed = await api(server, "POST", "/api/x_bulk/t/remove", { token: admin.token, body: { prefix: "bulk " } });
      assert.deepEqual(removed.body.result, { error: null });
      assert.equal(await count("short_descriptionSTARTSWITHbulk "), 0);
      assert.equal(await count("short_description=keep me"), 1);
    });
  });
}

describe("updateMultiple under the run's limits", () => {
  const limits: SandboxLimits = { timeoutMs: 5000, memoryBytes: 32 * 1024 * 1024, outputBytes: 65536, stackBytes: 262144, maxLogLines: 10, maxDataCalls: 100, maxDataCallsInFlight: 4, maxRowsRead: 100 };
  const rows = Array.from({ length: 10 }, (_, i) => ({ sys_id: { value: `${i}`.padStart(32, "a"), display_value: "" } }));
  const script = "var gr = new GlideRecord('incident'); gr.setValue('state', 2); gr.updateMultiple(); return gr.getLastErrorMessage();";
  const hostFor = (asked: string[]) => ({ log() {}, data: async (operation: string) => (asked.push(operation), operation === "glideQuery" ? rows : "ok") });

  test("a query past the records a run may read fails the run before any record is written", async () => {
    const asked: string[] = [];
    const outcome = await runScriptOnThread({ requestJson: "{}", script, filename: "bulk.js" }, { ...limits, maxRowsRead: 5 }, hostFor(asked));
    assert.equal(outcome.ok ? "ok" : outcome.kind, "rows");
    assert.deepEqual(asked, ["glideQuery"]);
  });

  test("each record is a data call: the run's call limit stops the loop there", async () => {
    const asked: string[] = [];
    const outcome = await runScriptOnThread({ requestJson: "{}", script, filename: "bulk.js" }, { ...limits, maxDataCalls: 5 }, hostFor(asked));
    assert.equal(outcome.ok ? "ok" : outcome.kind, "calls");
    assert.match(outcome.ok ? "" : outcome.message, /at most 5 data calls/);
    assert.deepEqual(asked, ["glideQuery", "update", "update", "update", "update"]);
    const within: string[] = [];
    const done = await runScriptOnThread({ requestJson: "{}", script, filename: "bulk.js" }, limits, hostFor(within));
    assert.deepEqual(done.ok && JSON.parse(done.response.body!.text), { result: null });
    assert.equal(within.filter((o) => o === "update").length, 10);
  });
});
