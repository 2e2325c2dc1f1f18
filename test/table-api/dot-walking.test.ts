import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * Dot-walking: `caller_id.name` in sysparm_fields answers under that key, and in sysparm_query
 * (and name-value pairs, and the Aggregate API's query) filters by the referenced record. Each
 * step respects the caller's read rights: a walk into what they may not read is left out of a
 * response and refused as a filter.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Table API dot-walking on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let ada: string;
    let bob: string;
    let counts: Record<string, number>;
    const sites: Record<string, string> = {};
    const get = (path: string, params: Record<string, string>, token = user.token) => api(server, "GET", `${path}?${q(params)}`, { token });
    const post = async (table: string, body: Record<string, unknown>): Promise<string> => {
      const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
      assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
      return res.body.result.sys_id;
    };
    const link = (table: string, sysId: string) => `${server.instance.config.publicUrl}/api/now/table/${table}/${sysId}`;
    /** The short descriptions (or u_names) a query finds, sorted. */
    const found = async (path: string, query: string, key: string, token = user.token) => {
      const res = await get(path, { sysparm_query: query, sysparm_fields: key }, token);
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body.result.map((r: Record<string, string>) => r[key]).sort();
    };

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      ada = await post("sys_user", { user_name: "ada.l", name: "Ada Lovelace", email: "ada@example.com" });
      bob = await post("sys_user", { user_name: "bob.t", name: "Bob Tables", active: false });
      await post("incident", { short_description: "Printer", caller_id: ada, assigned_to: bob });
      await post("incident", { short_description: "Network", caller_id: bob });
      await post("incident", { short_description: "Orphan" });
      // u_device → u_site → u_site (u_parent) → sys_user (u_manager): walks of up to three references.
      await post("sys_db_object", { name: "u_site", label: "Site" });
      await post("sys_db_object", { name: "u_vault", label: "Vault", read_roles: "vault_keeper" });
      await post("sys_db_object", { name: "u_device", label: "Device" });
      for (const [name, element, internal_type, reference] of [
        ["u_site", "u_name", "string"],
        ["u_site", "u_manager", "reference", "sys_user"],
        ["u_site", "u_parent", "reference", "u_site"],
        ["u_vault", "u_code", "string"],
        ["u_device", "u_name", "string"],
        ["u_device", "u_site", "reference", "u_site"],
        ["u_device", "u_vault", "reference", "u_vault"],
      ]) {
        await post("sys_dictionary", { name, element, internal_type, ...(reference ? { reference } : {}) });
      }
      sites.hq = await post("u_site", { u_name: "HQ", u_manager: ada });
      sites.lab = await post("u_site", { u_name: "Lab", u_manager: bob, u_parent: sites.hq });
      const vault = await post("u_vault", { u_code: "1234" });
      await post("u_device", { u_name: "Laptop", u_site: sites.lab, u_vault: vault });
      await post("u_device", { u_name: "Phone", u_site: sites.hq });
      await post("u_device", { u_name: "Loose" });
      // A reference to a record since deleted: custom references carry no foreign key.
      const gone = await post("u_site", { u_name: "Gone" });
      await post("u_device", { u_name: "Stray", u_site: gone });
      assert.equal((await api(server, "DELETE", `/api/now/table/u_site/${gone}`, { token: admin.token })).status, 204);
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no read wrote anything");
      await server.close();
    });

    test("sysparm_fields answers a walked field under its path, in the order asked; an empty reference gives \"\"", async () => {
      const res = await get("/api/now/table/incident", { sysparm_fields: "short_description,caller_id.name,caller_id.email,caller_id.active", sysparm_query: "ORDERBYshort_description" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body.result[0]), ["short_description", "caller_id.name", "caller_id.email", "caller_id.active"]);
      assert.deepEqual(res.body.result, [
        { short_description: "Network", "caller_id.name": "Bob Tables", "caller_id.email": "", "caller_id.active": "false" },
        { short_description: "Orphan", "caller_id.name": "", "caller_id.email": "", "caller_id.active": "" },
        { short_description: "Printer", "caller_id.name": "Ada Lovelace", "caller_id.email": "ada@example.com", "caller_id.active": "true" },
      ]);
      const all = await get("/api/now/table/incident", { sysparm_fields: "caller_id.name", sysparm_query: "short_description=Printer", sysparm_display_value: "all" });
      assert.deepEqual(all.body.result, [{ "caller_id.name": { display_value: "Ada Lovelace", value: "Ada Lovelace" } }]);
      const one = await get("/api/now/table/incident", { sysparm_query: "short_description=Printer", sysparm_fields: "sys_id" });
      const single = await get(`/api/now/table/incident/${one.body.result[0].sys_id}`, { sysparm_fields: "number,assigned_to.user_name" });
      assert.equal(single.status, 200, single.text);
      assert.equal(single.body.result["assigned_to.user_name"], "bob.t");
    });

    test("a walked reference field answers as a reference does, in every sysparm_display_value and link mode", async () => {
      const shapes = async (params: Record<string, string>) => {
        const res = await get("/api/now/table/u_device", { sysparm_fields: "u_name,u_site.u_manager", sysparm_query: "ORDERBYu_name", ...params });
        assert.equal(res.status, 200, res.text);
        return res.body.result.map((r: Record<string, unknown>) => r["u_site.u_manager"]);
      };
      // Laptop (Lab, managed by Bob), Loose (no site), Phone (HQ, managed by Ada), Stray (a deleted site).
      assert.deepEqual(await shapes({}), [{ link: link("sys_user", bob), value: bob }, "", { link: link("sys_user", ada), value: ada }, ""]);
      assert.deepEqual(await shapes({ sysparm_display_value: "true" }), [{ display_value: "Bob Tables", link: link("sys_user", bob) }, "", { display_value: "Ada Lovelace", link: link("sys_user", ada) }, ""]);
      const empty = { display_value: "", value: "" };
      assert.deepEqual(await shapes({ sysparm_display_value: "all" }), [{ display_value: "Bob Tables", link: link("sys_user", bob), value: bob }, empty, { display_value: "Ada Lovelace", link: link("sys_user", ada), value: ada }, empty]);
      assert.deepEqual(await shapes({ sysparm_exclude_reference_link: "true" }), [bob, "", ada, ""]);
      assert.deepEqual(await shapes({ sysparm_display_value: "true", sysparm_exclude_reference_link: "true" }), ["Bob Tables", "", "Ada Lovelace", ""]);
    });

    test("walks go up to three references deep on custom tables' reference fields", async () => {
      const res = await get("/api/now/table/u_device", { sysparm_fields: "u_name,u_site.u_name,u_site.u_parent.u_name,u_site.u_parent.u_manager.email", sysparm_query: "ORDERBYu_name" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, [
        { u_name: "Laptop", "u_site.u_name": "Lab", "u_site.u_parent.u_name": "HQ", "u_site.u_parent.u_manager.email": "ada@example.com" },
        { u_name: "Loose", "u_site.u_name": "", "u_site.u_parent.u_name": "", "u_site.u_parent.u_manager.email": "" },
        { u_name: "Phone", "u_site.u_name": "HQ", "u_site.u_parent.u_name": "", "u_site.u_parent.u_manager.email": "" },
        { u_name: "Stray", "u_site.u_name": "", "u_site.u_parent.u_name": "", "u_site.u_parent.u_manager.email": "" },
      ]);
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_parent.u_manager.name=Ada Lovelace", "u_name"), ["Laptop"]);
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_manager.name=Ada Lovelace", "u_name"), ["Phone"]);
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_parent.u_nameISEMPTY", "u_name"), ["Loose", "Phone", "Stray"]);
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_parent.u_name!=HQ", "u_name"), ["Loose", "Phone", "Stray"]);
      // A walk to a deleted record arrives nowhere, as an empty reference does.
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_nameISEMPTY", "u_name"), ["Loose", "Stray"]);
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_nameNOT INHQ,Lab", "u_name"), ["Loose", "Stray"]);
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_nameISNOTEMPTY", "u_name"), ["Laptop", "Phone"]);
      // A text operator on a walked reference matches the referenced record's display value.
      assert.deepEqual(await found("/api/now/table/u_device", "u_site.u_managerSTARTSWITHbob", "u_name"), ["Laptop"]);
    });

    const queries: [string, string[]][] = [
      ["caller_id.name=Ada Lovelace", ["Printer"]],
      ["caller_id.active=true", ["Printer"]],
      ["caller_id.active=false", ["Network"]],
      // Where the walk arrives nowhere the value is empty: the negations match, as they match an empty field.
      ["caller_id.name!=Ada Lovelace", ["Network", "Orphan"]],
      ["caller_id.nameISEMPTY", ["Orphan"]],
      ["caller_id.nameISNOTEMPTY", ["Network", "Printer"]],
      ["caller_id.emailISEMPTY", ["Network", "Orphan"]],
      ["caller_id.email=", ["Network", "Orphan"]],
      ["caller_id.email!=", ["Printer"]],
      ["caller_id.nameSTARTSWITHada", ["Printer"]],
      ["caller_id.nameENDSWITHtables", ["Network"]],
      ["caller_id.nameLIKElove", ["Printer"]],
      ["caller_id.nameNOT LIKElove", ["Network", "Orphan"]],
      ["caller_id.nameINAda Lovelace,Bob Tables", ["Network", "Printer"]],
      ["caller_id.nameNOT INAda Lovelace", ["Network", "Orphan"]],
      ["caller_id.user_name>b", ["Network"]],
      ["caller_id.user_nameBETWEENa@az", ["Printer"]],
      ["caller_id.sys_created_on>2000-01-01 00:00:00", ["Network", "Printer"]],
      ["caller_id.name=Bob Tables^ORassigned_to.active=false", ["Network", "Printer"]],
      ["caller_id.active=true^assigned_to.name=Bob Tables", ["Printer"]],
      ["caller_id.name=Bob Tables^NQcaller_idISEMPTY", ["Network", "Orphan"]],
    ];
    for (const [query, expected] of queries) {
      test(`sysparm_query ${JSON.stringify(query)}`, async () => {
        assert.deepEqual(await found("/api/now/table/incident", query, "short_description"), expected);
      });
    }

    test("name-value pairs and the Aggregate API's query walk too", async () => {
      const res = await api(server, "GET", `/api/now/table/incident?sysparm_fields=short_description&${q({ "caller_id.name": "Ada Lovelace" })}`, { token: user.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, [{ short_description: "Printer" }]);
      const stats = await get("/api/now/stats/incident", { sysparm_count: "true", sysparm_query: "caller_id.active=true^ORcaller_id.active=false" });
      assert.equal(stats.status, 200, stats.text);
      assert.equal(stats.body.result.stats.count, "2");
    });

    test("a field the caller may not read is neither answered nor usable as a filter through a walk", async () => {
      // sys_user.failed_attempts is masked to admins; u_vault is readable by vault_keeper only.
      const masked = await get("/api/now/table/incident", { sysparm_fields: "short_description,caller_id.failed_attempts", sysparm_query: "short_description=Printer" });
      assert.deepEqual(masked.body.result, [{ short_description: "Printer" }]);
      const asAdmin = await get("/api/now/table/incident", { sysparm_fields: "short_description,caller_id.failed_attempts", sysparm_query: "short_description=Printer" }, admin.token);
      assert.deepEqual(asAdmin.body.result, [{ short_description: "Printer", "caller_id.failed_attempts": "0" }]);
      const vaulted = await get("/api/now/table/u_device", { sysparm_fields: "u_name,u_vault.u_code", sysparm_query: "u_name=Laptop" });
      assert.deepEqual(vaulted.body.result, [{ u_name: "Laptop" }]);
      assert.deepEqual((await get("/api/now/table/u_device", { sysparm_fields: "u_vault.u_code", sysparm_query: "u_name=Laptop" }, admin.token)).body.result, [{ "u_vault.u_code": "1234" }]);
      for (const [path, params, message] of [
        ["/api/now/table/incident", { sysparm_query: "caller_id.failed_attempts=0" }, /may not read the field sys_user\.failed_attempts/],
        ["/api/now/table/incident", { "caller_id.failed_attempts": "0" }, /may not read the field sys_user\.failed_attempts/],
        ["/api/now/table/u_device", { sysparm_query: "u_vault.u_codeSTARTSWITH1" }, /may not read records of the table u_vault/],
        ["/api/now/stats/u_device", { sysparm_count: "true", sysparm_query: "u_vault.u_code=1234" }, /may not read records of the table u_vault/],
      ] as [string, Record<string, string>, RegExp][]) {
        const res = await get(path, params);
        assert.equal(res.status, 403, `${JSON.stringify(params)}: ${res.text}`);
        assert.match(res.body.error.message, message);
      }
      assert.deepEqual(await found("/api/now/table/incident", "caller_id.failed_attempts=0", "short_description", admin.token), ["Network", "Printer"]);
    });

    test("a bad walk is a 400 naming the problem", async () => {
      for (const [params, message] of [
        [{ sysparm_fields: "short_description.name" }, /incident\.short_description, a string field; only a reference can be dot-walked/],
        [{ sysparm_fields: "caller_id.nofield" }, /ends at "nofield", which is no field of sys_user/],
        [{ sysparm_fields: "nofield.name" }, /walks through "nofield", which is no field of incident/],
        [{ sysparm_query: "caller_id.password_hash=x" }, /no field of sys_user/],
        [{ sysparm_query: "caller_id.active.name=x" }, /sys_user\.active, a boolean field/],
        [{ sysparm_query: "caller_id.name=x^ORDERBYcaller_id.nofield" }, /ends at "nofield", which is no field of sys_user/],
        [{ sysparm_query: "caller_id.nameSAMEASassigned_to.name" }, /SAMEAS compares two fields of the table itself/],
        [{ "caller_id.nofield": "x" }, /no field of sys_user/],
      ] as [Record<string, string>, RegExp][]) {
        const res = await get("/api/now/table/incident", params);
        assert.equal(res.status, 400, `${JSON.stringify(params)}: ${res.text}`);
        assert.match(res.body.error.message, message);
      }
      const deep = await get("/api/now/table/u_device", { sysparm_fields: "u_site.u_parent.u_parent.u_parent.u_name" });
      assert.equal(deep.status, 400);
      assert.match(deep.body.error.message, /walks 4 references; at most 3 are followed/);
      const deepQuery = await get("/api/now/table/u_device", { sysparm_query: "u_site.u_parent.u_parent.u_parent.u_name=HQ" });
      assert.equal(deepQuery.status, 400);
    });
  });
}
