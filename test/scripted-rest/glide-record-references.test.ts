import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { SandboxLimits } from "../../src/scripting/sandbox-contract.ts";
import { runScriptOnThread } from "../../src/scripting/script-thread-pool.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * Dot-walking through a GlideRecord's reference field (gr.caller_id.name, getRefRecord) and the
 * record's own display value: the referenced record is read as the caller, as any other read.
 */
const scripts = {
  walk: `var gr = new GlideRecord('incident'); gr.addQuery('short_description', 'mail down'); gr.query(); gr.next();
var caller = gr.caller_id.getRefRecord();
var empty = new GlideRecord('incident'); empty.addQuery('short_description', 'no caller'); empty.query(); empty.next();
return { name: gr.caller_id.name.toString(), email: gr.caller_id.email.getDisplayValue(), elementName: gr.caller_id.name.getName(),
  masked: gr.caller_id.failed_attempts === undefined, missing: gr.caller_id.no_such_field === undefined, notReference: gr.short_description.name === undefined,
  notReferenceRecord: gr.short_description.getRefRecord(), refValid: caller.isValidRecord(), refTable: caller.getTableName(), refUser: caller.getValue('user_name'),
  display: gr.getDisplayValue(), number: gr.getValue('number'), freshDisplay: new GlideRecord('incident').getDisplayValue(),
  emptyName: empty.caller_id.name.toString(), emptyNil: empty.caller_id.name.nil(), emptyRef: empty.caller_id.getRefRecord().isValidRecord(), emptyError: empty.getLastErrorMessage() };`,
  grant: `var g = new GlideRecord('u_grant'); g.query(); g.next(); var ref = g.u_client.getRefRecord();
return { name: g.u_client.name.toString(), nil: g.u_client.name.nil(), valid: ref.isValidRecord(), error: ref.getLastErrorMessage() };`,
  assign: `var gr = new GlideRecord('incident'); gr.addQuery('short_description', 'no caller'); gr.query(); gr.next();
var before = gr.caller_id.name.toString(); gr.caller_id = request.body.data.user; return { before: before, after: gr.caller_id.name.toString() };`,
  point: `var g = new GlideRecord('u_grant'); g.u_client = request.body.data.client; var id = g.insert(); return { made: id !== null, error: g.getLastErrorMessage() };`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideRecord dot-walks through references on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    let client: Awaited<ReturnType<typeof registerClient>>;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_walk", "t", [
        { name: "walk", http_method: "GET", relative_path: "/walk", operation_script: scripts.walk },
        { name: "grant", http_method: "GET", relative_path: "/grant", operation_script: scripts.grant },
        { name: "assign", http_method: "POST", relative_path: "/assign", operation_script: scripts.assign },
        { name: "point", http_method: "POST", relative_path: "/point", operation_script: scripts.point },
      ]);
      for (const body of [{ short_description: "mail down", caller_id: ada.sysId }, { short_description: "no caller" }]) {
        assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body })).status, 201);
      }
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_user/${ada.sysId}`, { token: admin.token, body: { email: "ada@example.com" } })).status, 200);
      // oauth_entity is admin-only: a reference to it is a record ada cannot read.
      assert.equal((await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_grant", label: "Grant" } })).status, 201);
      assert.equal((await api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_grant", element: "u_client", internal_type: "reference", reference: "oauth_entity" } })).status, 201);
      client = await registerClient(server.instance, { name: "Payroll" });
      assert.equal((await api(server, "POST", "/api/now/table/u_grant", { token: admin.token, body: { u_client: client.sysId } })).status, 201);
    });
    after(() => server.close());

    test("gr.caller_id.name reads the referenced record's field as an element; getRefRecord gives that record; getDisplayValue() the record's", async () => {
      const res = await api(server, "GET", "/api/x_walk/t/walk", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      const r = res.body.result;
      assert.match(r.number, /^INC\d{7}$/);
      assert.deepEqual(r, {
        name: "ada Name", email: "ada@example.com", elementName: "name",
        masked: true, missing: true, notReference: true, notReferenceRecord: null,
        refValid: true, refTable: "sys_user", refUser: "ada",
        display: r.number, number: r.number, freshDisplay: "",
        emptyName: "", emptyNil: true, emptyRef: false, emptyError: null,
      });
    });

    test("a referenced record the caller may not read reads as empty; one who may reads it", async () => {
      const denied = await api(server, "GET", "/api/x_walk/t/grant", { token: ada.token });
      assert.equal(denied.status, 200, denied.text);
      assert.equal(denied.body.result.name, "");
      assert.equal(denied.body.result.nil, true);
      assert.equal(denied.body.result.valid, false);
      assert.match(denied.body.result.error, /ada may not read records of the table oauth_entity/);
      const allowed = await api(server, "GET", "/api/x_walk/t/grant", { token: admin.token });
      assert.deepEqual({ name: allowed.body.result.name, valid: allowed.body.result.valid }, { name: "Payroll", valid: true });
    });

    test("a reference set by the script walks to the record it now names", async () => {
      const res = await api(server, "POST", "/api/x_walk/t/assign", { token: ada.token, body: { user: admin.sysId } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, { before: "", after: "System Administrator" });
    });

    test("a script's reference to a record of a table the caller may not read is written alike whether the record exists or not", async () => {
      const nowhere = "0000000000000000000000000000abcd";
      for (const id of [client.sysId, nowhere]) {
        const res = await api(server, "POST", "/api/x_walk/t/point", { token: ada.token, body: { client: id } });
        assert.deepEqual(res.body.result, { made: true, error: null }, id);
      }
      const checked = await api(server, "POST", "/api/x_walk/t/point", { token: admin.token, body: { client: nowhere } });
      assert.equal(checked.body.result.made, false, "an admin, who reads oauth_entity, is told");
      assert.match(checked.body.result.error, /no oauth_entity record with sys_id/);
    });
  });
}

describe("a dot-walk's read counts as the run's other reads do", () => {
  test("past the records a run may read, a walk fails the run as a query would", async () => {
    const limits: SandboxLimits = { timeoutMs: 5000, memoryBytes: 32 * 1024 * 1024, outputBytes: 65536, stackBytes: 262144, maxLogLines: 10, maxDataCalls: 100, maxDataCallsInFlight: 4, maxRowsRead: 2 };
    const user = "0123456789abcdef0123456789abcdef";
    const row = (n: number) => ({ sys_id: { value: `${n}`.padStart(32, "a"), display_value: "" }, caller_id: { value: user, display_value: "Ada", reference: "sys_user" }, $display: "sys_id" });
    const asked: unknown[][] = [];
    const host = {
      log() {},
      data: async (operation: string, args: unknown[]) => {
        asked.push([operation, ...args]);
        return operation === "glideGet" ? { sys_id: { value: user, display_value: user }, name: { value: "Ada", display_value: "Ada" } } : [row(1), row(2)];
      },
    };
    const walk = "var gr = new GlideRecord('incident'); gr.query(); gr.next(); return gr.caller_id.name.toString();";
    const within = await runScriptOnThread({ requestJson: "{}", script: walk, filename: "walk.js" }, { ...limits, maxRowsRead: 3 }, host);
    assert.deepEqual(within.ok && JSON.parse(within.response.body!.text), { result: "Ada" });
    assert.deepEqual(asked, [["glideQuery", "incident", "ORDERBYsys_id", 100, 0], ["glideGet", "sys_user", user]], "the walk reads the referenced record by its table and sys_id");
    asked.length = 0;
    const past = await runScriptOnThread({ requestJson: "{}", script: walk, filename: "walk.js" }, limits, host);
    assert.equal(past.ok ? "ok" : past.kind, "rows");
    assert.equal(asked.length, 1, "the query read the run's two records: the walk's read is refused before it starts");
  });
});
