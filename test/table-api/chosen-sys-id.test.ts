import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { countRows } from "../support/import-sets.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * A sys_id asked for on create (PySNC's set_new_guid_value) is refused as taken or kept as new,
 * which would tell someone who may create in a table but not read it which records it holds.
 * Such a caller is refused the choice itself, alike whether a record has the sys_id or not.
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
const decode = (body: string) => JSON.parse(Buffer.from(body, "base64").toString("utf8"));
const refusal = "sys_id: clerk may not choose the sys_id of a new u_dropbox record, since they may not read records of the table u_dropbox; leave sys_id out and the instance makes one";
const insertScript = `var gr = new GlideRecord('u_dropbox'); gr.u_note = 'by script'; gr.sys_id = request.body.data.id;
var id = gr.insert(); return { id: id, error: gr.getLastErrorMessage() };`;

for (const dialect of dialectsUnderTest()) {
  describe(`a sys_id chosen on create, by callers who may and may not read the table, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let clerk: ApiUser;
    let hr: ApiUser;
    const taken = "7a7e07a7e07a7e07a7e07a7e07a7e07a";
    const fresh = () => randomBytes(16).toString("hex");

    const post = (user: ApiUser, path: string, body: unknown) => api(server, "POST", path, { token: user.token, body });
    const stored = (sysId: string) => server.instance.store.db.selectFrom("u_dropbox" as any).select("sys_id").where("sys_id", "=", sysId).executeTakeFirst();
    const batchOf = (user: ApiUser, bodies: unknown[]) =>
      post(user, "/api/now/v1/batch", {
        rest_requests: bodies.map((body, i) => ({ id: String(i), method: "POST", url: "/api/now/table/u_dropbox", headers: [{ name: "Content-Type", value: "application/json" }], body: b64(body) })),
      });

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      clerk = await apiUser(server, "clerk");
      hr = await apiUser(server, "hana", ["hr"]);
      const define = async (table: string, body: Record<string, unknown>) => assert.equal((await post(admin, `/api/now/table/${table}`, body)).status, 201, JSON.stringify(body));
      // Anyone may drop a note in; only hr may read them.
      await define("sys_db_object", { name: "u_dropbox", read_roles: "hr", write_roles: "hr", delete_roles: "hr" });
      await define("sys_dictionary", { name: "u_dropbox", element: "u_note", internal_type: "string" });
      assert.equal((await post(hr, "/api/now/table/u_dropbox", { u_note: "kept", sys_id: taken })).status, 201);
      await defineApi(server, admin, "x_drop", "box", [{ name: "insert", http_method: "POST", relative_path: "/insert", operation_script: insertScript }]);
    });
    after(() => server.close());

    test("a caller who may create but not read is refused a sys_id of their choosing with one 403, whether or not a record has it", async () => {
      const rows = await countRows(server, "u_dropbox");
      const newId = fresh();
      const answers = [];
      for (const sysId of [taken, newId]) {
        const res = await post(clerk, "/api/now/table/u_dropbox", { u_note: "probe", sys_id: sysId });
        assert.equal(res.status, 403, `${sysId}: ${res.text}`);
        answers.push(res.body);
      }
      assert.deepEqual(answers[1], answers[0], "a new sys_id is answered as a taken one");
      assert.deepEqual(answers[0], { error: { message: refusal, detail: `access_denied: ${refusal}` }, status: "failure" });
      assert.equal(await stored(newId), undefined, "the new sys_id was not used");
      // The same sub-requests through the Batch API.
      const batch = await batchOf(clerk, [{ u_note: "probe", sys_id: taken }, { u_note: "probe", sys_id: fresh() }]);
      assert.equal(batch.status, 200, batch.text);
      for (const sub of batch.body.serviced_requests) {
        assert.equal(sub.status_code, 403);
        assert.deepEqual(decode(sub.body), answers[0]);
      }
      assert.equal(await countRows(server, "u_dropbox"), rows, "nothing written");
      // Leaving it out (or empty) still creates, and shows the clerk no more than the new sys_id.
      for (const body of [{ u_note: "drop" }, { u_note: "drop", sys_id: "" }]) {
        const res = await post(clerk, "/api/now/table/u_dropbox", body);
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(Object.keys(res.body.result), ["sys_id"]);
        assert.notEqual(res.body.result.sys_id, taken);
      }
    });

    test("a caller who may read the table keeps the sys_id they choose and is told when it is taken, directly and in a batch", async () => {
      const newId = fresh();
      const kept = await post(hr, "/api/now/table/u_dropbox", { u_note: "mine", sys_id: newId });
      assert.equal(kept.status, 201, kept.text);
      assert.equal(kept.body.result.sys_id, newId);
      const duplicate = await post(hr, "/api/now/table/u_dropbox", { u_note: "again", sys_id: taken });
      assert.equal(duplicate.status, 400, duplicate.text);
      assert.equal(duplicate.body.error.message, `sys_id: u_dropbox already has a record with sys_id "${taken}"`);
      const batchId = fresh();
      const batch = await batchOf(hr, [{ u_note: "batched", sys_id: batchId }, { u_note: "again", sys_id: taken }]);
      assert.deepEqual(batch.body.serviced_requests.map((s: { status_code: number }) => s.status_code), [201, 400]);
      assert.equal(decode(batch.body.serviced_requests[0].body).result.sys_id, batchId);
    });

    test("a script's GlideRecord insert, acting as its caller, meets the same rule", async () => {
      const answers = [];
      for (const id of [taken, fresh()]) {
        const res = await post(clerk, "/api/x_drop/box/insert", { id });
        assert.equal(res.status, 200, res.text);
        answers.push(res.body.result);
      }
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[0], { id: null, error: refusal });
      const newId = fresh();
      assert.deepEqual((await post(hr, "/api/x_drop/box/insert", { id: newId })).body.result, { id: newId, error: null });
      assert.equal((await post(hr, "/api/x_drop/box/insert", { id: taken })).body.result.id, null);
    });

    test("an import set's transform cannot be made to choose a target's sys_id by a loader who may not read the target", async () => {
      const define = async (table: string, body: Record<string, unknown>) => (await post(admin, `/api/now/table/${table}`, body)).body.result?.sys_id as string;
      await define("sys_db_object", { name: "u_imp_drop", super_class: "sys_import_set_row" });
      for (const element of ["u_note", "u_id"]) await define("sys_dictionary", { name: "u_imp_drop", element, internal_type: "string" });
      const map = await define("sys_transform_map", { name: "Drops", source_table: "u_imp_drop", target_table: "u_dropbox" });
      await define("sys_transform_entry", { map, source_field: "u_note", target_field: "u_note" });
      const toSysId = await post(admin, "/api/now/table/sys_transform_entry", { map, source_field: "u_id", target_field: "sys_id" });
      assert.equal(toSysId.status, 400, "a field map never targets sys_id");
      // A staging row's own sys_id is the staging table's to make: the target gets a new one, taken or not.
      for (const sysId of [taken, fresh()]) {
        const res = await post(clerk, "/api/now/import/u_imp_drop", { u_note: "loaded", sys_id: sysId });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.result[0].status, "inserted", res.text);
        assert.notEqual(res.body.result[0].sys_id, sysId);
      }
      // A field map to sys_id written to the database directly (an older version's, a hand-made row).
      const now = "2026-01-01 00:00:00";
      await server.instance.store.db
        .insertInto("sys_transform_entry")
        .values({ sys_created_on: now, sys_created_by: "admin", sys_updated_on: now, sys_updated_by: "admin", sys_mod_count: 0, sys_id: fresh(), map, source_field: "u_id", target_field: "sys_id", coalesce: 0, coalesce_case_sensitive: 0 })
        .execute();
      const rows = await countRows(server, "u_dropbox");
      const results = [];
      for (const id of [taken, fresh()]) {
        const res = await post(clerk, "/api/now/import/u_imp_drop", { u_note: "loaded", u_id: id });
        assert.equal(res.status, 201, res.text);
        const { status, error_message } = res.body.result[0];
        results.push({ status, error_message });
      }
      assert.deepEqual(results[1], results[0]);
      assert.deepEqual(results[0], { status: "error", error_message: refusal });
      assert.equal(await countRows(server, "u_dropbox"), rows, "nothing written");
    });
  });
}
