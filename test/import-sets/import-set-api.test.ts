import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { tryTakeLease } from "../../src/store/job-lease-store.ts";
import { countRows, definePersonImport, waitForProcessed } from "../support/import-sets.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Import Set API on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let loader: ApiUser;
    let outsider: ApiUser;
    before(async () => {
      // A fixed clock: the single-row set that two rows share closes at midnight UTC, which a run must not cross.
      server = await startTestInstance(dialect, { importMaxRecords: 5000 }, { now: () => new Date("2026-03-10T12:00:00Z") });
      admin = await apiUser(server, "admin");
      loader = await apiUser(server, "hana", ["hr"]);
      outsider = await apiUser(server, "otto");
      await definePersonImport(server, admin.token);
    });
    after(() => server.close());

    const importOne = (token: string, body: unknown) => api(server, "POST", "/api/now/import/u_imp_person", { token, body });

    test("a row is stored and transformed at once; coalesce updates the match instead of inserting", async () => {
      const first = await importOne(loader.token, { u_email: "ada@example.com", u_name: "Ada", u_age: "36" });
      assert.equal(first.status, 201, first.text);
      assert.match(first.body.import_set, /^ISET\d{7}$/);
      assert.equal(first.body.staging_table, "u_imp_person");
      assert.equal(first.body.result.length, 1);
      const inserted = first.body.result[0];
      assert.equal(inserted.status, "inserted");
      assert.equal(inserted.transform_map, "Person");
      assert.equal(inserted.table, "u_person");
      assert.equal(inserted.display_name, "u_name");
      assert.equal(inserted.display_value, "Ada");
      assert.equal(inserted.record_link, `${server.url}/api/now/table/u_person/${inserted.sys_id}`);
      const person = await api(server, "GET", `/api/now/table/u_person/${inserted.sys_id}`, { token: loader.token });
      assert.equal(person.body.result.u_age, "36");
      assert.equal(person.body.result.sys_created_by, "hana", "written as the caller");
      const audit = await server.instance.store.db.selectFrom("sys_audit").select(["fieldname", "user"]).where("documentkey", "=", inserted.sys_id).execute();
      assert.ok(audit.some((a) => a.fieldname === "u_name" && a.user === "hana"), "audited like a Table API write");

      const again = await importOne(loader.token, { u_email: "ada@example.com", u_name: "Ada Lovelace", u_age: "37" });
      assert.equal(again.status, 201, again.text);
      assert.equal(again.body.result[0].status, "updated");
      assert.equal(again.body.result[0].sys_id, inserted.sys_id);
      assert.equal(again.body.import_set, first.body.import_set, "single-row loads gather in one open set");
      const updated = await api(server, "GET", `/api/now/table/u_person/${inserted.sys_id}`, { token: loader.token });
      assert.equal(updated.body.result.u_name, "Ada Lovelace");
      assert.equal(updated.body.result.u_age, "37");
      assert.equal(updated.body.result.sys_mod_count, "1");

      const same = await importOne(loader.token, { u_email: "ada@example.com", u_name: "Ada Lovelace" });
      assert.equal(same.body.result[0].status, "ignored");
      assert.equal(same.body.result[0].status_message, "no field values changed");
      assert.equal((await api(server, "GET", `/api/now/table/u_person?${q({ sysparm_query: "u_email=ada@example.com" })}`, { token: loader.token })).body.result.length, 1);

      // The staging row keeps what happened, readable through both APIs.
      const rows = await api(server, "GET", `/api/now/table/u_imp_person?${q({ sysparm_query: "u_email=ada@example.com^ORDERBYsys_import_row" })}`, { token: loader.token });
      assert.deepEqual(rows.body.result.map((r: any) => r.sys_import_state), ["inserted", "updated", "ignored"]);
      assert.equal(rows.body.result[1].sys_target_sys_id, inserted.sys_id);
      const read = await api(server, "GET", `/api/now/import/u_imp_person/${rows.body.result[1].sys_id}`, { token: loader.token });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.result[0].status, "updated");
      assert.equal(read.body.result[0].sys_id, inserted.sys_id);
      assert.equal(read.body.result[0].display_value, "Ada Lovelace");
    });

    test("a caller without write on the target gets error rows and the target does not change", async () => {
      const before = await countRows(server, "u_person");
      const res = await importOne(outsider.token, { u_email: "eve@example.com", u_name: "Eve" });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result[0].status, "error");
      assert.match(res.body.result[0].error_message, /otto may not create records in the table u_person/);
      const update = await importOne(outsider.token, { u_email: "ada@example.com", u_name: "Mallory" });
      assert.equal(update.body.result[0].status, "error");
      assert.match(update.body.result[0].error_message, /may not write/);
      assert.equal(await countRows(server, "u_person"), before);
      const ada = await api(server, "GET", `/api/now/table/u_person?${q({ sysparm_query: "u_email=ada@example.com" })}`, { token: admin.token });
      assert.equal(ada.body.result[0].u_name, "Ada Lovelace");
    });

    test("a form body (curl -d without a JSON content type), or a key beside \"records\", is a 400 that stores no row", async () => {
      const before = await countRows(server, "u_imp_person");
      for (const path of ["/api/now/import/u_imp_person", "/api/now/import/u_imp_person/insertMultiple"]) {
        const res = await http(`${server.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${loader.token}`, "content-type": "application/x-www-form-urlencoded" }, body: "u_name=Form&u_email=form@example.com" });
        assert.equal(res.status, 400, `${path}: ${res.text}`);
        assert.equal(res.body.status, "failure");
      }
      const extra = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: loader.token, body: { records: [{ u_name: "Extra", u_email: "extra@example.com" }], foo: 1 } });
      assert.equal(extra.status, 400, extra.text);
      assert.match(extra.body.error.message, /holds only "records", not "foo"/);
      assert.equal(await countRows(server, "u_imp_person"), before);
    });

    test("insertMultiple answers at once; bad and ignored rows do not stop their siblings", async () => {
      const res = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", {
        token: loader.token,
        body: {
          records: [
            { u_email: "b1@example.com", u_name: "Bea", u_age: "20" },
            { u_email: "b2@example.com", u_name: "Bo", u_age: "twenty" },
            { u_name: "No Mail" },
            { u_email: "b3@example.com", u_age: "5" },
            { u_email: "b4@example.com", u_name: "Bill" },
          ],
        },
      });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.import_set_id, /^[0-9a-f]{32}$/);
      assert.equal(res.body.multi_import_set_id, res.body.import_set_id);
      const done = await waitForProcessed(server, loader.token, "u_imp_person", res.body.import_set_id);
      assert.equal(done.state, "processed");
      assert.deepEqual([done.row_count, done.processed_count, done.inserted_count, done.ignored_count, done.error_count], ["5", "5", "2", "1", "2"]);
      const rows = await api(server, "GET", `/api/now/table/u_imp_person?${q({ sysparm_query: `sys_import_set=${res.body.import_set_id}^ORDERBYsys_import_row` })}`, { token: loader.token });
      assert.deepEqual(rows.body.result.map((r: any) => r.sys_import_state), ["inserted", "error", "ignored", "error", "inserted"]);
      assert.match(rows.body.result[1].sys_import_state_comment, /u_age: must be a whole number/);
      assert.match(rows.body.result[2].sys_import_state_comment, /coalesce field u_email/);
      assert.match(rows.body.result[3].sys_import_state_comment, /u_name: is mandatory/);
      const set = await api(server, "GET", `/api/now/table/sys_import_set/${res.body.import_set_id}`, { token: loader.token });
      assert.equal(set.body.result.state, "processed");
      assert.equal(set.body.result.error_count, "2");
      assert.equal((await api(server, "GET", `/api/now/table/u_person?${q({ sysparm_query: "u_emailSTARTSWITHb" })}`, { token: loader.token })).body.result.length, 2);
    });

    test("an insertMultiple set, its rows and its History are stamped by the instance's clock, as a single row's set is", async () => {
      const res = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: loader.token, body: { records: [{ u_email: "clock1@example.com", u_name: "Clock" }, { u_email: "clock2@example.com", u_name: "Clock" }] } });
      assert.equal(res.status, 201, res.text);
      const setId = res.body.import_set_id as string;
      const db = server.instance.store.db;
      const set = await db.selectFrom("sys_import_set").select("sys_created_on").where("sys_id", "=", setId).executeTakeFirstOrThrow();
      const audit = await db.selectFrom("sys_audit").select(["sys_created_on", "created_at"]).where("documentkey", "=", setId).executeTakeFirstOrThrow();
      const rows = await sql<{ sys_created_on: string }>`select sys_created_on from u_imp_person where sys_import_set = ${setId}`.execute(db);
      assert.equal(set.sys_created_on, "2026-03-10 12:00:00");
      assert.deepEqual([audit.sys_created_on, Number(audit.created_at)], ["2026-03-10 12:00:00", Date.parse("2026-03-10T12:00:00Z")]);
      assert.deepEqual(rows.rows.map((r) => r.sys_created_on), ["2026-03-10 12:00:00", "2026-03-10 12:00:00"]);
      await waitForProcessed(server, loader.token, "u_imp_person", setId);
      // The job's progress (the rows' outcomes, the counters, processing, processed) reads the same clock.
      const finished = await db.selectFrom("sys_import_set").select(["state", "sys_updated_on"]).where("sys_id", "=", setId).executeTakeFirstOrThrow();
      assert.deepEqual(finished, { state: "processed", sys_updated_on: "2026-03-10 12:00:00" });
      const transformed = await sql<{ sys_import_state: string; sys_updated_on: string }>`select sys_import_state, sys_updated_on from u_imp_person where sys_import_set = ${setId} order by sys_import_row`.execute(db);
      assert.deepEqual(transformed.rows, [{ sys_import_state: "inserted", sys_updated_on: "2026-03-10 12:00:00" }, { sys_import_state: "inserted", sys_updated_on: "2026-03-10 12:00:00" }]);
    });

    test("a single row's outcome and its set's counters are stamped by the instance's clock", async () => {
      const res = await importOne(loader.token, { u_email: "tick@example.com", u_name: "Tick" });
      assert.equal(res.status, 201, res.text);
      const db = server.instance.store.db;
      const set = await db.selectFrom("sys_import_set").select(["sys_updated_on", "processed_count"]).where("number", "=", res.body.import_set).executeTakeFirstOrThrow();
      assert.equal(set.sys_updated_on, "2026-03-10 12:00:00");
      assert.ok(Number(set.processed_count) > 0);
      const row = await sql<{ sys_import_state: string; sys_updated_on: string }>`select sys_import_state, sys_updated_on from u_imp_person where u_email = 'tick@example.com'`.execute(db);
      assert.deepEqual(row.rows, [{ sys_import_state: "inserted", sys_updated_on: "2026-03-10 12:00:00" }]);
    });

    test("a few thousand rows are transformed in the background, with progress readable meanwhile", async () => {
      const records = Array.from({ length: 3000 }, (_, i) => ({ u_email: `bulk${i}@example.com`, u_name: `Bulk ${i}`, u_age: String(i % 90) }));
      const res = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: loader.token, body: { records } });
      assert.equal(res.status, 201, res.text);
      const seen = new Set<string>();
      const done = await waitForProcessed(server, loader.token, "u_imp_person", res.body.import_set_id, (body) => seen.add(body.state));
      assert.deepEqual([done.row_count, done.processed_count, done.inserted_count, done.error_count], ["3000", "3000", "3000", "0"]);
      assert.ok(seen.has("processed"));
      const inserted = await api(server, "GET", `/api/now/table/u_imp_person?${q({ sysparm_query: `sys_import_set=${res.body.import_set_id}^sys_import_state=inserted`, sysparm_limit: "1" })}`, { token: loader.token });
      assert.equal(inserted.headers.get("x-total-count"), "3000");
      assert.equal((await api(server, "GET", `/api/now/table/u_person?${q({ sysparm_query: "u_emailSTARTSWITHbulk", sysparm_limit: "1" })}`, { token: loader.token })).headers.get("x-total-count"), "3000");
      // A second load of the same people coalesces onto them.
      const again = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: loader.token, body: { records: records.slice(0, 500).map((r) => ({ ...r, u_age: "99" })) } });
      const second = await waitForProcessed(server, loader.token, "u_imp_person", again.body.import_set_id);
      assert.deepEqual([second.updated_count, second.inserted_count], ["500", "0"]);
    });

    test("a set whose job lease another node holds is picked up once that lease runs out", async () => {
      // A node that took the lease and died: its lease still runs for a moment.
      assert.ok(await tryTakeLease(server.instance.store.db, "import-set-transform", "dead-node", 1500));
      const res = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: loader.token, body: { records: [{ u_email: "late@example.com", u_name: "Late" }] } });
      assert.equal(res.status, 201, res.text);
      const done = await waitForProcessed(server, loader.token, "u_imp_person", res.body.import_set_id);
      assert.equal(done.inserted_count, "1");
      const lease = await server.instance.store.db.selectFrom("job_lease").select("holder").where("name", "=", "import-set-transform").executeTakeFirstOrThrow();
      assert.notEqual(lease.holder, "dead-node");
    });

    test("bad requests are refused with the Table API envelope and write nothing", async () => {
      const before = [await countRows(server, "u_imp_person"), await countRows(server, "sys_import_set"), await countRows(server, "u_person")];
      const cases: [string, unknown, number, RegExp][] = [
        ["/api/now/import/u_nothing", { u_name: "x" }, 404, /Invalid staging table/],
        ["/api/now/import/incident", { short_description: "x" }, 404, /Invalid staging table/],
        ["/api/now/import/u_person", { u_name: "x" }, 404, /Invalid staging table/],
        ["/api/now/import/u_imp_person", ["x"], 400, /JSON object/],
        ["/api/now/import/u_imp_person", { u_unknown: "x" }, 400, /u_unknown/],
        ["/api/now/import/u_imp_person/insertMultiple", { records: "x" }, 400, /records/],
        ["/api/now/import/u_imp_person/insertMultiple", { records: [] }, 400, /empty/],
        ["/api/now/import/u_imp_person/insertMultiple", [{ u_name: "x" }], 400, /records/],
        ["/api/now/import/u_imp_person/insertMultiple", { records: [{ u_name: "ok" }, { u_name: "ok", u_bogus: 1 }, 7] }, 400, /records\[1\]\.u_bogus.*records\[2\]/],
        ["/api/now/import/u_imp_person/insertMultiple", { records: Array.from({ length: 5001 }, () => ({ u_name: "x" })) }, 400, /at most 5000 records/],
      ];
      for (const [path, body, status, message] of cases) {
        const res = await api(server, "POST", path, { token: loader.token, body });
        assert.equal(res.status, status, `${path} ${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message + res.body.error.detail, message);
      }
      assert.equal((await api(server, "POST", "/api/now/import/u_imp_person", { token: loader.token, rawBody: "{not json" })).status, 400);
      assert.equal((await api(server, "POST", "/api/now/import/u_imp_person", { body: { u_name: "x" } })).status, 401);
      assert.equal((await api(server, "GET", `/api/now/import/u_imp_person/${"0".repeat(32)}`, { token: loader.token })).status, 404);
      assert.deepEqual([await countRows(server, "u_imp_person"), await countRows(server, "sys_import_set"), await countRows(server, "u_person")], before);
    });

    test("maps and field maps are checked against their tables; only import admins define them", async () => {
      const post = (table: string, body: unknown, token = admin.token) => api(server, "POST", `/api/now/table/${table}`, { token, body });
      assert.equal((await post("sys_transform_map", { name: "x", source_table: "u_person", target_table: "u_person" })).status, 400, "source must be a staging table");
      assert.equal((await post("sys_transform_map", { name: "x", source_table: "u_imp_person", target_table: "u_missing" })).status, 400);
      assert.equal((await post("sys_transform_map", { name: "x", source_table: "u_imp_person", target_table: "oauth_entity" })).status, 400);
      assert.equal((await post("sys_transform_map", { name: "x", source_table: "u_imp_person", target_table: "u_person" }, loader.token)).status, 403);
      const map = await post("sys_transform_map", { name: "Spare", source_table: "u_imp_person", target_table: "incident", active: false });
      assert.equal(map.status, 201, map.text);
      const mapId = map.body.result.sys_id;
      assert.equal((await post("sys_transform_entry", { map: mapId, source_field: "u_name", target_field: "number" })).status, 400, "read-only target field");
      assert.equal((await post("sys_transform_entry", { map: mapId, source_field: "u_nope", target_field: "short_description" })).status, 400);
      assert.equal((await post("sys_transform_entry", { map: "f".repeat(32), source_field: "u_name", target_field: "short_description" })).status, 400);
      assert.equal((await post("sys_transform_entry", { map: mapId, source_field: "u_name", target_field: "short_description" })).status, 201);
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_transform_map/${mapId}`, { token: admin.token, body: { source_table: "u_person" } })).status, 400);
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_db_object/${(await api(server, "GET", `/api/now/table/sys_db_object?${q({ sysparm_query: "name=u_imp_person" })}`, { token: admin.token })).body.result[0].sys_id}`, { token: admin.token, body: { super_class: "" } })).status, 400);
      // An inactive map does nothing; deleting a map takes its field maps along.
      const incidents = await countRows(server, "incident");
      assert.equal((await api(server, "POST", "/api/now/import/u_imp_person", { token: loader.token, body: { u_email: "spare@example.com", u_name: "Spare" } })).body.result.length, 1);
      assert.equal(await countRows(server, "incident"), incidents);
      // Active, it runs after Person (order 100): one result per map, in order.
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_transform_map/${mapId}`, { token: admin.token, body: { active: true, order: 200 } })).status, 200);
      const both = await api(server, "POST", "/api/now/import/u_imp_person", { token: loader.token, body: { u_email: "twice@example.com", u_name: "Twice" } });
      assert.deepEqual(both.body.result.map((r: any) => [r.transform_map, r.table, r.status]), [["Person", "u_person", "inserted"], ["Spare", "incident", "inserted"]]);
      assert.match(both.body.result[1].display_value, /^INC\d{7}$/);
      assert.equal(await countRows(server, "incident"), incidents + 1);
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_transform_map/${mapId}`, { token: admin.token })).status, 204);
      assert.equal((await server.instance.store.db.selectFrom("sys_transform_entry").select("sys_id").where("map", "=", mapId).execute()).length, 0);
    });

    test("a coalesce value matches whatever its case, as on the platform, unless its field map is case sensitive", async () => {
      const first = await importOne(loader.token, { u_email: "grace@example.com", u_name: "Grace" });
      assert.equal(first.body.result[0].status, "inserted", first.text);
      const shouted = await importOne(loader.token, { u_email: "GRACE@Example.COM", u_name: "Grace Hopper" });
      assert.equal(shouted.body.result[0].status, "updated", shouted.text);
      assert.equal(shouted.body.result[0].sys_id, first.body.result[0].sys_id, "no duplicate for a different case");
      // The lookup has an index on lower(u_email), not a scan per imported row.
      const indexes = dialect.name === "sqlite"
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'u_person' and sql like '%lower(%'`.execute(server.instance.store.db)
        : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'u_person' and indexdef like '%lower(%'`.execute(server.instance.store.db);
      assert.equal(indexes.rows.length, 1, JSON.stringify(indexes.rows));

      const entry = (await api(server, "GET", `/api/now/table/sys_transform_entry?${q({ sysparm_query: "coalesce=true^target_field=u_email" })}`, { token: admin.token })).body.result[0];
      assert.equal(entry.coalesce_case_sensitive, "false");
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_transform_entry/${entry.sys_id}`, { token: admin.token, body: { coalesce_case_sensitive: true } })).status, 200);
      const exact = await importOne(loader.token, { u_email: "GRACE@EXAMPLE.COM", u_name: "Another Grace" });
      assert.equal(exact.body.result[0].status, "inserted", "case sensitive: a different case is another record");
      await api(server, "PATCH", `/api/now/table/sys_transform_entry/${entry.sys_id}`, { token: admin.token, body: { coalesce_case_sensitive: false } });
    });
  });
}
