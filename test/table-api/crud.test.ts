import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Table API records: create, read, update, delete on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "beth.anglin");
    });
    after(() => server.close());

    test("POST creates an incident: 201, Location, auto-number, system fields, every value a string", async () => {
      const res = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "Disk full", priority: 2, caller_id: user.sysId, active: true } });
      assert.equal(res.status, 201, res.text);
      const r = res.body.result;
      assert.match(r.sys_id, /^[0-9a-f]{32}$/);
      assert.equal(res.headers.get("location"), `${server.url}/api/now/table/incident/${r.sys_id}`);
      assert.match(r.number, /^INC00\d{5}$/);
      assert.equal(r.short_description, "Disk full");
      assert.equal(r.priority, "2");
      assert.equal(r.state, "1", "the dictionary default");
      assert.equal(r.active, "true");
      assert.equal(r.description, "");
      assert.equal(r.assigned_to, "");
      assert.deepEqual(r.caller_id, { link: `${server.url}/api/now/table/sys_user/${user.sysId}`, value: user.sysId });
      assert.equal(r.sys_created_by, "beth.anglin");
      assert.equal(r.sys_updated_by, "beth.anglin");
      assert.equal(r.sys_mod_count, "0");
      assert.match(r.sys_created_on, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      for (const value of Object.values(r)) assert.ok(typeof value === "string" || typeof value === "object");
    });

    test("numbers run on from INC0010001 without gaps", async () => {
      const a = await api(server, "POST", "/api/now/v2/table/incident", { token: user.token, body: { short_description: "a" } });
      const b = await api(server, "POST", "/api/now/v1/table/incident", { token: user.token, body: { short_description: "b" } });
      const n = (s: string) => Number(s.slice(3));
      assert.equal(n(b.body.result.number), n(a.body.result.number) + 1);
      const first = await api(server, "GET", "/api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_limit=1", { token: user.token });
      assert.equal(first.body.result[0].number, "INC0010001");
    });

    test("GET by sys_id returns the record; PATCH and PUT change it and count the update; DELETE answers 204 with no body", async () => {
      const created = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "printer" } })).body.result;
      const read = await api(server, "GET", `/api/now/table/incident/${created.sys_id}`, { token: user.token });
      assert.equal(read.status, 200);
      assert.deepEqual(read.body.result, created);
      const patched = await api(server, "PATCH", `/api/now/table/incident/${created.sys_id}`, { token: user.token, body: { state: "2", assigned_to: admin.sysId } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.result.state, "2");
      assert.equal(patched.body.result.sys_mod_count, "1");
      assert.equal(patched.body.result.short_description, "printer", "a partial update leaves other fields alone");
      const put = await api(server, "PUT", `/api/now/table/incident/${created.sys_id}`, { token: user.token, body: { short_description: "printer on fire" } });
      assert.equal(put.status, 200);
      assert.equal(put.body.result.sys_mod_count, "2");
      const removed = await api(server, "DELETE", `/api/now/table/incident/${created.sys_id}`, { token: admin.token });
      assert.equal(removed.status, 204);
      assert.equal(removed.text, "");
      const gone = await api(server, "GET", `/api/now/table/incident/${created.sys_id}`, { token: user.token });
      assert.equal(gone.status, 404);
      assert.equal(gone.body.status, "failure");
      assert.ok(gone.body.error.message);
    });

    test("ETag is the record's version; PUT, PATCH and DELETE with an If-Match no longer current are 412 and change nothing", async () => {
      const created = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "versioned" } });
      assert.equal(created.headers.get("etag"), '"0"');
      const id = created.body.result.sys_id as string;
      const read = await api(server, "GET", `/api/now/table/incident/${id}?sysparm_fields=number`, { token: user.token });
      assert.equal(read.headers.get("etag"), '"0"', "whatever sysparm_fields asked for");
      assert.deepEqual(Object.keys(read.body.result), ["number"]);
      const patched = await api(server, "PATCH", `/api/now/table/incident/${id}`, { token: user.token, body: { state: "2" }, headers: { "if-match": '"0"' } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.headers.get("etag"), '"1"');
      const before = await tableCounts(server.instance.store);
      for (const method of ["PATCH", "PUT"]) {
        const stale = await api(server, method, `/api/now/table/incident/${id}`, { token: user.token, body: { state: "3" }, headers: { "if-match": '"0"' } });
        assert.equal(stale.status, 412, stale.text);
        assert.equal(stale.body.status, "failure");
        assert.match(stale.body.error.message, /now version 1, saved by beth\.anglin/);
        assert.equal(stale.headers.get("etag"), '"1"');
      }
      const staleDelete = await api(server, "DELETE", `/api/now/table/incident/${id}`, { token: admin.token, headers: { "if-match": '"0"' } });
      assert.equal(staleDelete.status, 412);
      const malformed = await api(server, "PATCH", `/api/now/table/incident/${id}`, { token: user.token, body: { state: "3" }, headers: { "if-match": "1" } });
      assert.equal(malformed.status, 400);
      assert.deepEqual(await tableCounts(server.instance.store), before);
      assert.equal((await api(server, "GET", `/api/now/table/incident/${id}`, { token: user.token })).body.result.state, "2");
      assert.equal((await api(server, "DELETE", `/api/now/table/incident/${id}`, { token: admin.token, headers: { "if-match": '"1"' } })).status, 204);
      assert.equal((await api(server, "PATCH", `/api/now/table/incident/${id}`, { token: user.token, body: { state: "3" }, headers: { "if-match": '"1"' } })).status, 404);
    });

    test("sys_* and read-only fields in a body are ignored, as on the platform; a sys_id asked for on create is kept", async () => {
      const res = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "x", sys_created_by: "mallory", number: "INC9999999", sys_mod_count: 99 } });
      assert.equal(res.status, 201);
      assert.equal(res.body.result.sys_created_by, "beth.anglin");
      assert.notEqual(res.body.result.number, "INC9999999");
      assert.equal(res.body.result.sys_mod_count, "0");
      // GlideRecord.setNewGuidValue (PySNC's set_new_guid_value) sends the sys_id the record is to have.
      const chosen = "0123456789abcdef0123456789abcdef";
      const kept = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "with its own sys_id", sys_id: chosen } });
      assert.equal(kept.status, 201, kept.text);
      assert.equal(kept.body.result.sys_id, chosen);
      assert.equal((await api(server, "GET", `/api/now/table/incident/${chosen}`, { token: user.token })).body.result.short_description, "with its own sys_id");
      const before = await tableCounts(server.instance.store);
      for (const sys_id of ["0".repeat(31), "0123456789ABCDEF0123456789ABCDEF", 42, chosen]) {
        const refused = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "refused", sys_id } });
        assert.equal(refused.status, 400, `${sys_id}: ${refused.text}`);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
      // A table whose records the instance makes with their own rules (the registry, the dictionary) refuses one, writing nothing.
      for (const [table, body] of [["oauth_entity", { name: "Chosen id", redirect_url: "https://c.example/cb" }], ["sys_db_object", { name: "u_chosen_id" }]] as const) {
        const own = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body: { ...body, sys_id: "abcdef0123456789abcdef0123456789" } });
        assert.equal(own.status, 400, own.text);
        assert.match(own.body.error.detail + own.body.error.message, /sys_id/);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
      // An update never moves a record to another sys_id.
      const patched = await api(server, "PATCH", `/api/now/table/incident/${chosen}`, { token: user.token, body: { sys_id: "f".repeat(32), priority: "1" } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.result.sys_id, chosen);
    });

    test("every change is audited field by field", async () => {
      const created = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "audit me" } })).body.result;
      await api(server, "PATCH", `/api/now/table/incident/${created.sys_id}`, { token: user.token, body: { priority: "1" } });
      const rows = await server.instance.store.db.selectFrom("sys_audit").selectAll().where("documentkey", "=", created.sys_id).execute();
      assert.ok(rows.some((r) => r.fieldname === "short_description" && r.newvalue === "audit me" && r.reason === "created"));
      assert.ok(rows.some((r) => r.fieldname === "priority" && r.oldvalue === "5" && r.newvalue === "1" && r.user === "beth.anglin"));
    });

    test("the audit records a true/false field as true and false, as the platform's sys_audit does, not the column's 1 and 0", async () => {
      const created = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "audit a flag", active: true } })).body.result;
      await api(server, "PATCH", `/api/now/table/incident/${created.sys_id}`, { token: user.token, body: { active: false } });
      await api(server, "PATCH", `/api/now/table/incident/${created.sys_id}`, { token: user.token, body: { active: "true" } });
      const rows = await server.instance.store.db.selectFrom("sys_audit").select(["oldvalue", "newvalue", "reason"]).where("documentkey", "=", created.sys_id).where("fieldname", "=", "active").orderBy("created_at").orderBy("sys_id", "desc").execute();
      assert.deepEqual(rows, [
        { oldvalue: "", newvalue: "true", reason: "created" },
        { oldvalue: "true", newvalue: "false", reason: "" },
        { oldvalue: "false", newvalue: "true", reason: "" },
      ]);
      // The Table API reads them back so.
      const read = await api(server, "GET", `/api/now/table/sys_audit?${new URLSearchParams({ sysparm_query: `documentkey=${created.sys_id}^fieldname=active^newvalue=false`, sysparm_fields: "oldvalue,newvalue" })}`, { token: admin.token });
      assert.deepEqual(read.body.result, [{ oldvalue: "true", newvalue: "false" }], read.text);
    });

    test("bad bodies are 400s naming the field, and write nothing", async () => {
      const counts = await tableCounts(server.instance.store);
      const cases: unknown[] = [
        { short_description: "x", priority: "urgent" },
        { short_description: "x", state: 42 },
        { short_description: "x", active: "maybe" },
        { short_description: "x", caller_id: "not-a-sys-id" },
        { short_description: "x", caller_id: "0123456789abcdef0123456789abcdef" },
        { short_description: "x".repeat(161) },
        { no_such_field: "x" },
        { short_description: { nested: true } },
        ["not", "an", "object"],
      ];
      for (const body of cases) {
        const res = await api(server, "POST", "/api/now/table/incident", { token: user.token, body });
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.equal(res.body.status, "failure");
        assert.ok(res.body.error.message.length > 0);
      }
      // A JSON array was sent as JSON: the refusal says what it is, not to change the Content-Type.
      for (const [path, body] of [["/api/now/table/incident", [{ short_description: "one" }, { short_description: "two" }]], ["/api/now/table/oauth_entity", [{ name: "x" }]]] as const) {
        const array = await api(server, "POST", path, { token: path.includes("oauth") ? admin.token : user.token, body });
        assert.equal(array.status, 400, array.text);
        assert.equal(array.body.error.message, "the request body is a JSON array; it must be one JSON object of field names and values (one record per request)");
      }
      const malformed = await api(server, "POST", "/api/now/table/incident", { token: user.token, rawBody: "{nope" });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.status, "failure");
      assert.equal(malformed.body.error.message, "the JSON body could not be read: it is not valid JSON at character 1");
      const poisoned = await api(server, "POST", "/api/now/table/incident", { token: user.token, rawBody: '{"short_description":"x","__proto__":{"admin":true}}' });
      assert.equal(poisoned.status, 400);
      assert.match(poisoned.body.error.message, /__proto__ or constructor\.prototype, which is refused/);
      // Thousands of levels broke JSON.stringify on the way (a 500); 64 are read, more are refused.
      for (const depth of [5000, 65]) {
        const deep = await api(server, "POST", "/api/now/table/incident", { token: user.token, rawBody: `{"short_description":"x","work_notes":${"[".repeat(depth)}${"]".repeat(depth)}}` });
        assert.equal(deep.status, 400, deep.text);
        assert.equal(deep.body.error.message, "the JSON body could not be read: it nests deeper than 64 levels");
      }
      // Brackets inside a string do not nest (an escaped quote does not end it): the refusal is the field's, not the depth's.
      const braces = await api(server, "POST", "/api/now/table/incident", { token: user.token, rawBody: `{"short_description":"${"[{".repeat(50)}\\"${"[{".repeat(50)}"}` });
      assert.equal(braces.status, 400);
      assert.match(braces.body.error.message, /short_description: must be at most 160 characters/);
      const secretInside = await api(server, "POST", "/api/now/table/incident", { token: user.token, rawBody: '{"password":"hunter2-secret" oops}' });
      assert.equal(secretInside.status, 400);
      assert.doesNotMatch(secretInside.text, /hunter2/, "the refusal does not quote the body");
      // curl -d without -H "Content-Type: application/json" sends a form: refused, not read as a record with no fields.
      const sysId = (await api(server, "GET", "/api/now/table/incident?sysparm_limit=1&sysparm_fields=sys_id", { token: user.token })).body.result[0].sys_id;
      for (const [method, path] of [["POST", "/api/now/table/incident"], ["PATCH", `/api/now/table/incident/${sysId}`], ["PUT", `/api/now/table/incident/${sysId}`]] as const) {
        const form = await http(`${server.base}${path}`, { method, headers: { authorization: `Bearer ${user.token}`, "content-type": "application/x-www-form-urlencoded" }, body: "short_description=form" });
        assert.equal(form.status, 400, `${method}: ${form.text}`);
        assert.match(form.body.error.message, /JSON object .*application\/json/);
      }
      assert.deepEqual(await tableCounts(server.instance.store), counts);
    });

    test("a mandatory field must be given on create and cannot be emptied", async () => {
      const res = await api(server, "POST", "/api/now/table/sys_user_role", { token: admin.token, body: { description: "no name" } });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /name: is mandatory/);
      const role = await api(server, "POST", "/api/now/table/sys_user_role", { token: admin.token, body: { name: "itil" } });
      assert.equal(role.status, 201);
      const emptied = await api(server, "PATCH", `/api/now/table/sys_user_role/${role.body.result.sys_id}`, { token: admin.token, body: { name: "" } });
      assert.equal(emptied.status, 400);
      const duplicate = await api(server, "POST", "/api/now/table/sys_user_role", { token: admin.token, body: { name: "itil" } });
      assert.equal(duplicate.status, 400);
    });

    test("a unique value already taken is a 400 naming the field and the value, and writes nothing", async () => {
      const other = await api(server, "POST", "/api/now/table/sys_user", { token: admin.token, body: { user_name: "unique.other" } });
      assert.equal(other.status, 201, other.text);
      const incident = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "first" } })).body.result.sys_id;
      const counts = await tableCounts(server.instance.store);
      const taken = await api(server, "POST", "/api/now/table/sys_user", { token: admin.token, body: { user_name: "beth.anglin", first_name: "Other" } });
      assert.equal(taken.status, 400, taken.text);
      assert.equal(taken.body.status, "failure");
      assert.equal(taken.body.error.message, 'user_name: sys_user already has a record with user_name "beth.anglin"');
      const renamed = await api(server, "PATCH", `/api/now/table/sys_user/${other.body.result.sys_id}`, { token: admin.token, body: { user_name: "beth.anglin" } });
      assert.equal(renamed.status, 400, renamed.text);
      assert.equal(renamed.body.error.message, 'user_name: sys_user already has a record with user_name "beth.anglin"', "an update says the same");
      const sameId = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "second", sys_id: incident } });
      assert.equal(sameId.status, 400, sameId.text);
      assert.equal(sameId.body.error.message, `sys_id: incident already has a record with sys_id "${incident}"`);
      assert.deepEqual(await tableCounts(server.instance.store), counts);
      const kept = await api(server, "GET", `/api/now/table/sys_user/${other.body.result.sys_id}?sysparm_fields=user_name`, { token: admin.token });
      assert.equal(kept.body.result.user_name, "unique.other");
    });

    test("unknown tables and malformed or unknown sys_ids are 404 in the envelope", async () => {
      for (const path of ["/api/now/table/no_such_table", "/api/now/table/Incident", "/api/now/table/incident;drop", `/api/now/table/incident/${"f".repeat(32)}`, "/api/now/table/incident/1%27%20or%201=1"]) {
        const res = await api(server, "GET", path, { token: user.token });
        assert.equal(res.status, 404, path);
        assert.equal(res.body.status, "failure");
      }
      for (const method of ["PATCH", "PUT", "DELETE"]) {
        const res = await api(server, method, `/api/now/table/incident/${"e".repeat(32)}`, { token: admin.token, ...(method === "DELETE" ? {} : { body: { short_description: "x" } }) });
        assert.equal(res.status, 404, method);
      }
    });

    test("sysparm_input_display_value=true takes display values for references and choice labels", async () => {
      const res = await api(server, "POST", "/api/now/table/incident?sysparm_input_display_value=true", { token: user.token, body: { short_description: "by name", caller_id: "beth.anglin Name", priority: "1 - Critical" } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result.caller_id.value, user.sysId);
      assert.equal(res.body.result.priority, "1");
      const unknown = await api(server, "PATCH", `/api/now/table/incident/${res.body.result.sys_id}?sysparm_input_display_value=true`, { token: user.token, body: { assigned_to: "Nobody Known" } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /assigned_to: no sys_user record is shown as "Nobody Known"/);
      const without = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { caller_id: "beth.anglin Name" } });
      assert.equal(without.status, 400, "without the flag a reference takes a sys_id only");
    });

    test("a trailing slash names the collection, as on the platform: GET lists and POST creates there as without it", async () => {
      const created = await api(server, "POST", "/api/now/table/incident/", { token: user.token, body: { short_description: "slash" } });
      assert.equal(created.status, 201, created.text);
      const id = created.body.result.sys_id;
      for (const path of ["/api/now/table/incident/", "/api/now/v1/table/incident/", "/api/now/v2/table/incident/"]) {
        const listed = await api(server, "GET", `${path}?sysparm_query=sys_id=${id}&sysparm_fields=short_description`, { token: user.token });
        assert.equal(listed.status, 200, `${path}: ${listed.text}`);
        assert.deepEqual(listed.body.result, [{ short_description: "slash" }], path);
      }
      const record = await api(server, "GET", `/api/now/table/incident/${id}/`, { token: user.token });
      assert.equal(record.body.result.sys_id, id, "a record's path too");
    });

    test("no credentials is 401 with a JSON body; a bad token is 401", async () => {
      const none = await api(server, "GET", "/api/now/table/incident");
      assert.equal(none.status, 401);
      assert.equal(none.body.status, "failure");
      assert.equal(none.body.error.message, "User Not Authenticated");
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
      const bad = await api(server, "GET", "/api/now/table/incident", { token: "nope" });
      assert.equal(bad.status, 401);
    });

    test("an Accept with neither JSON nor XML is 406 in the envelope and writes nothing; any Accept that takes JSON is served JSON unless it prefers XML", async () => {
      const call = (accept: string | undefined, method = "GET", body?: unknown) =>
        http(`${server.base}/api/now/table/incident?sysparm_limit=1`, {
          method,
          headers: { authorization: `Bearer ${user.token}`, ...(accept === undefined ? {} : { accept }), ...(body ? { "content-type": "application/json" } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      const before = await tableCounts(server.instance.store);
      for (const accept of ["text/html", "application/json;q=0", "text/csv, application/xml;q=0"]) {
        const res = await call(accept, "POST", { short_description: "asked for HTML" });
        assert.equal(res.status, 406, `${accept}: ${res.text}`);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, /JSON or XML.*neither application\/json nor application\/xml/);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before, "a refused write stores nothing");
      for (const accept of [undefined, "", "*/*", "application/*", "application/json", "application/json, application/xml", "text/html, application/json;q=0.9, */*;q=0.8"]) {
        const res = await call(accept);
        assert.equal(res.status, 200, `${accept}: ${res.text}`);
        assert.match(res.headers.get("content-type") ?? "", /application\/json/);
      }
      assert.equal((await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${user.token}`, accept: "application/xml" } })).status, 406);
    });
  });
}
