import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * ORDERBY and ORDERBYDESC on a dot-walked field (`ORDERBYcaller_id.name`): records sort by the
 * referenced record's value, an empty or dangling reference sorts as the empty value of the field
 * it reads, sys_id still breaks ties so pages are stable, and ordering by a value the caller may
 * not read is refused as a filter on it is. The Aggregate API groups, aggregates, filters groups
 * and orders them by walked fields under the same rules.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`ORDERBY and the Aggregate API on dot-walked fields on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let counts: Record<string, number>;
    let ada: string;
    let bob: string;
    const get = (path: string, params: Record<string, string>, token = user.token) => api(server, "GET", `${path}?${q(params)}`, { token });
    const post = async (table: string, body: Record<string, unknown>): Promise<string> => {
      const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
      assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
      return res.body.result.sys_id;
    };
    /** The values of `key` in the order a query answers them. */
    const ordered = async (path: string, query: string, key: string, extra: Record<string, string> = {}) => {
      const res = await get(path, { sysparm_query: query, sysparm_fields: key, ...extra });
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body.result.map((r: Record<string, string>) => r[key]);
    };
    const incidents = (query: string) => ordered("/api/now/table/incident", query, "short_description");
    const devices = (query: string) => ordered("/api/now/table/u_device", query, "u_name");

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      ada = await post("sys_user", { user_name: "ada.l", name: "Ada Lovelace", email: "ada@example.com" });
      bob = await post("sys_user", { user_name: "bob.t", name: "Bob Tables", active: false });
      const cid = await post("sys_user", { user_name: "cid.m", name: "Cid Moreau" });
      // Created in this order, so sys_id (time-ordered) breaks the tie between Ada's two incidents.
      await post("incident", { short_description: "Printer", caller_id: ada });
      await post("incident", { short_description: "Network", caller_id: bob });
      await post("incident", { short_description: "Orphan" });
      await post("incident", { short_description: "Disk", caller_id: ada });
      await post("incident", { short_description: "Mail", caller_id: cid });
      // u_device → u_site → u_site (u_parent) → sys_user (u_manager); u_vault readable by vault_keeper only.
      await post("sys_db_object", { name: "u_site", label: "Site" });
      await post("sys_db_object", { name: "u_vault", label: "Vault", read_roles: "vault_keeper" });
      await post("sys_db_object", { name: "u_device", label: "Device" });
      for (const [name, element, internal_type, reference] of [
        ["u_site", "u_name", "string"],
        ["u_site", "u_floor", "integer"],
        ["u_site", "u_manager", "reference", "sys_user"],
        ["u_site", "u_parent", "reference", "u_site"],
        ["u_vault", "u_code", "string"],
        ["u_device", "u_name", "string"],
        ["u_device", "u_site", "reference", "u_site"],
        ["u_device", "u_vault", "reference", "u_vault"],
      ]) {
        await post("sys_dictionary", { name, element, internal_type, ...(reference ? { reference } : {}) });
      }
      const hq = await post("u_site", { u_name: "HQ", u_floor: 5, u_manager: ada });
      const lab = await post("u_site", { u_name: "Lab", u_floor: 2, u_manager: bob, u_parent: hq });
      const vault = await post("u_vault", { u_code: "1234" });
      await post("u_device", { u_name: "Laptop", u_site: lab, u_vault: vault });
      await post("u_device", { u_name: "Phone", u_site: hq });
      await post("u_device", { u_name: "Loose" });
      // A reference to a record since deleted: custom references carry no foreign key.
      const gone = await post("u_site", { u_name: "Gone", u_floor: 9 });
      await post("u_device", { u_name: "Stray", u_site: gone });
      assert.equal((await api(server, "DELETE", `/api/now/table/u_site/${gone}`, { token: admin.token })).status, 204);
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no read wrote anything");
      await server.close();
    });

    test("ORDERBY sorts by the referenced record's text, ties by sys_id; no caller sorts as an empty text", async () => {
      assert.deepEqual(await incidents("ORDERBYcaller_id.name"), ["Orphan", "Printer", "Disk", "Network", "Mail"]);
      assert.deepEqual(await incidents("ORDERBYDESCcaller_id.name"), ["Mail", "Network", "Disk", "Printer", "Orphan"]);
      // A second key orders within the first; a field of the table may come first.
      assert.deepEqual(await incidents("ORDERBYcaller_id.name^ORDERBYshort_description"), ["Orphan", "Disk", "Printer", "Network", "Mail"]);
      // Bob and Cid have an empty e-mail (""): Orphan sorts among them on both databases.
      assert.deepEqual(await incidents("ORDERBYcaller_id.email^ORDERBYshort_description"), ["Mail", "Network", "Orphan", "Disk", "Printer"]);
    });

    test("a walked text ORDERBY ignores case, as a field of the table's does", async () => {
      const db = server.instance.store.db;
      await db.updateTable("sys_user").set({ name: "ada Lovelace" }).where("sys_id", "=", ada).execute();
      try {
        // By code point "ada" would follow "Cid"; without regard to case it leads.
        assert.deepEqual(await incidents("ORDERBYcaller_id.name"), ["Orphan", "Printer", "Disk", "Network", "Mail"]);
        assert.deepEqual(await incidents("ORDERBYDESCcaller_id.name"), ["Mail", "Network", "Disk", "Printer", "Orphan"]);
      } finally {
        await db.updateTable("sys_user").set({ name: "Ada Lovelace" }).where("sys_id", "=", ada).execute();
      }
    });

    test("no caller sorts where an empty value of the same type sorts in a field of the table (NULL: first ascending on SQLite, last on PostgreSQL)", async () => {
      const walked = await incidents("ORDERBYcaller_id.active^ORDERBYshort_description");
      // caller_id is a reference of the table itself, NULL when empty: the comparison for a non-text walked value.
      const plain = await incidents("ORDERBYcaller_id^ORDERBYshort_description");
      assert.equal(walked.indexOf("Orphan"), plain.indexOf("Orphan"));
      const emptyFirst = dialect.name === "sqlite";
      assert.deepEqual(walked, emptyFirst ? ["Orphan", "Network", "Disk", "Mail", "Printer"] : ["Network", "Disk", "Mail", "Printer", "Orphan"]);
    });

    test("walks through custom tables, a table into itself and up to three references; a deleted record counts as no record", async () => {
      assert.deepEqual(await devices("ORDERBYu_site.u_name"), ["Loose", "Stray", "Phone", "Laptop"]);
      assert.deepEqual(await devices("ORDERBYu_site.u_parent.u_name^ORDERBYDESCu_name"), ["Stray", "Phone", "Loose", "Laptop"]);
      assert.deepEqual(await devices("ORDERBYDESCu_site.u_parent.u_manager.name^ORDERBYu_name"), ["Laptop", "Loose", "Phone", "Stray"]);
      // Two walks through the same reference share its join; a walked filter and walked output combine with it.
      const res = await get("/api/now/table/u_device", { sysparm_query: "u_site.u_nameISNOTEMPTY^ORDERBYu_site.u_manager.name^ORDERBYu_site.u_name", sysparm_fields: "u_name,u_site.u_name,u_site.u_manager.name" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, [
        { u_name: "Phone", "u_site.u_name": "HQ", "u_site.u_manager.name": "Ada Lovelace" },
        { u_name: "Laptop", "u_site.u_name": "Lab", "u_site.u_manager.name": "Bob Tables" },
      ]);
      const floors = await devices("ORDERBYDESCu_site.u_floor^ORDERBYu_name");
      assert.deepEqual(floors, dialect.name === "sqlite" ? ["Phone", "Laptop", "Loose", "Stray"] : ["Loose", "Stray", "Phone", "Laptop"]);
    });

    test("pages of a walked ORDERBY neither overlap nor skip, and carry X-Total-Count and Link", async () => {
      const all = await incidents("ORDERBYcaller_id.name");
      const pages: string[] = [];
      for (const offset of ["0", "2", "4"]) {
        const res = await get("/api/now/table/incident", { sysparm_query: "ORDERBYcaller_id.name", sysparm_fields: "short_description", sysparm_limit: "2", sysparm_offset: offset });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get("x-total-count"), "5");
        const link = res.headers.get("link") ?? "";
        assert.match(link, /rel="first"/);
        assert.equal(/rel="next"/.test(link), offset !== "4", `next link at offset ${offset}: ${link}`);
        assert.match(decodeURIComponent(link), /sysparm_query=ORDERBYcaller_id\.name/);
        pages.push(...res.body.result.map((r: Record<string, string>) => r.short_description));
      }
      assert.deepEqual(pages, all);
    });

    test("ordering by a walked value the caller may not read is a 403, as a filter on it is", async () => {
      for (const [path, query, message] of [
        ["/api/now/table/incident", "ORDERBYcaller_id.failed_attempts", /may not read the field sys_user\.failed_attempts/],
        ["/api/now/table/incident", "ORDERBYDESCcaller_id.failed_attempts", /may not read the field sys_user\.failed_attempts/],
        ["/api/now/table/u_device", "ORDERBYu_vault.u_code", /may not read records of the table u_vault/],
      ] as [string, string, RegExp][]) {
        const res = await get(path, { sysparm_query: query, sysparm_fields: "sys_id" });
        assert.equal(res.status, 403, `${query}: ${res.text}`);
        assert.match(res.body.error.message, message);
        assert.equal(res.body.result, undefined, "no records come with the refusal");
      }
      assert.equal((await get("/api/now/table/incident", { sysparm_query: "ORDERBYcaller_id.failed_attempts", sysparm_fields: "sys_id" }, admin.token)).status, 200);
    });

    test("a bad walk in ORDERBY is a 400 naming the problem", async () => {
      for (const [query, message] of [
        ["ORDERBYcaller_id.nofield", /ends at "nofield", which is no field of sys_user/],
        ["ORDERBYshort_description.name", /incident\.short_description, a string field; only a reference can be dot-walked/],
        ["ORDERBYcaller_id.password_hash", /no field of sys_user/],
        ["ORDERBYcaller_id.", /does not name a field \(or a dot-walk such as caller_id\.name\) to order by/],
        ["ORDERBYDESCcaller_id..name", /does not name a field/],
      ] as [string, RegExp][]) {
        const res = await get("/api/now/table/incident", { sysparm_query: query });
        assert.equal(res.status, 400, `${query}: ${res.text}`);
        assert.match(res.body.error.message, message);
      }
      const deep = await get("/api/now/table/u_device", { sysparm_query: "ORDERBYu_site.u_parent.u_parent.u_parent.u_name" });
      assert.equal(deep.status, 400);
      assert.match(deep.body.error.message, /walks 4 references; at most 3 are followed/);
    });

    const stats = async (table: string, params: Record<string, string>, token = user.token) => {
      const res = await get(`/api/now/stats/${table}`, params, token);
      assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
      return res.body.result;
    };
    /** Each group as [its values, its count]. */
    const groups = async (table: string, params: Record<string, string>) =>
      (await stats(table, { sysparm_count: "true", ...params })).map((g: { stats: { count: string }; groupby_fields: { value: string }[] }) => [...g.groupby_fields.map((f) => f.value), g.stats.count]);

    test("sysparm_group_by on a walked field answers groupby_fields named by its path; no caller is the empty group", async () => {
      const result = await stats("incident", { sysparm_count: "true", sysparm_group_by: "caller_id.name" });
      assert.deepEqual(result, [
        { stats: { count: "1" }, groupby_fields: [{ field: "caller_id.name", value: "" }] },
        { stats: { count: "2" }, groupby_fields: [{ field: "caller_id.name", value: "Ada Lovelace" }] },
        { stats: { count: "1" }, groupby_fields: [{ field: "caller_id.name", value: "Bob Tables" }] },
        { stats: { count: "1" }, groupby_fields: [{ field: "caller_id.name", value: "Cid Moreau" }] },
      ]);
      assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_order_by: "COUNT^DESC" }), [["Ada Lovelace", "2"], ["", "1"], ["Bob Tables", "1"], ["Cid Moreau", "1"]]);
      const descending = [["Cid Moreau", "1"], ["Bob Tables", "1"], ["Ada Lovelace", "2"], ["", "1"]];
      assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_order_by: "caller_id.name^DESC" }), descending);
      assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_query: "ORDERBYDESCcaller_id.name" }), descending);
      assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_having: "count^caller_id.name^>^1" }), [["Ada Lovelace", "2"]]);
      assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name,short_description", sysparm_query: "caller_id.active=true" }), [["Ada Lovelace", "Disk", "1"], ["Ada Lovelace", "Printer", "1"], ["Cid Moreau", "Mail", "1"]]);
    });

    test("a walked text groups without regard to case, as a field of the table's does: one group, showing the least name stored, in caseless order", async () => {
      const db = server.instance.store.db;
      const rename = (names: [string, string][]) => Promise.all(names.map(([id, name]) => db.updateTable("sys_user").set({ name }).where("sys_id", "=", id).execute()));
      const cid = (await db.selectFrom("sys_user").select("sys_id").where("user_name", "=", "cid.m").executeTakeFirstOrThrow()).sys_id;
      await rename([[bob, "ada lovelace"], [cid, "aaron Moreau"]]);
      try {
        // By code point there would be four groups: "", "Ada Lovelace", "aaron Moreau", "ada lovelace".
        const ascending = [["", "1"], ["aaron Moreau", "1"], ["Ada Lovelace", "3"]];
        assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name" }), ascending);
        assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_order_by: "caller_id.name^DESC" }), [...ascending].reverse());
        assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_query: "caller_id.name=ADA LOVELACE" }), [["Ada Lovelace", "3"]]);
        assert.deepEqual(await groups("incident", { sysparm_group_by: "caller_id.name", sysparm_having: "count^caller_id.name^>^1" }), [["Ada Lovelace", "3"]]);
      } finally {
        await rename([[bob, "Bob Tables"], [cid, "Cid Moreau"]]);
      }
    });

    test("AVG, SUM, MIN and MAX of walked fields, grouped by a walk into the same table; a missing or deleted site has no floor", async () => {
      const floors = { avg: { "u_site.u_floor": "3.5000" }, sum: { "u_site.u_floor": "7" }, min: { "u_site.u_floor": "2", "u_site.u_name": "" }, max: { "u_site.u_floor": "5", "u_site.u_name": "Lab" } };
      const all = await stats("u_device", { sysparm_avg_fields: "u_site.u_floor", sysparm_sum_fields: "u_site.u_floor", sysparm_min_fields: "u_site.u_floor,u_site.u_name", sysparm_max_fields: "u_site.u_floor,u_site.u_name" });
      assert.deepEqual(all, { stats: floors });
      const grouped = await stats("u_device", { sysparm_count: "true", sysparm_avg_fields: "u_site.u_floor", sysparm_max_fields: "u_site.u_floor", sysparm_group_by: "u_site.u_parent.u_name" });
      assert.deepEqual(grouped, [
        { stats: { count: "3", avg: { "u_site.u_floor": "5.0000" }, max: { "u_site.u_floor": "5" } }, groupby_fields: [{ field: "u_site.u_parent.u_name", value: "" }] },
        { stats: { count: "1", avg: { "u_site.u_floor": "2.0000" }, max: { "u_site.u_floor": "2" } }, groupby_fields: [{ field: "u_site.u_parent.u_name", value: "HQ" }] },
      ]);
      // The empty group has no floor to average: NULL, in the database's order as for any AVG.
      const byFloor = await groups("u_device", { sysparm_group_by: "u_site.u_name", sysparm_order_by: "AVG^u_site.u_floor^DESC" });
      assert.deepEqual(byFloor, dialect.name === "sqlite" ? [["HQ", "1"], ["Lab", "1"], ["", "2"]] : [["", "2"], ["HQ", "1"], ["Lab", "1"]]);
    });

    test("a walked reference groups by sys_id and shows its display value, as a reference of the table does", async () => {
      const result = await stats("u_device", { sysparm_count: "true", sysparm_group_by: "u_site.u_manager", sysparm_display_value: "all" });
      const names: Record<string, string> = { [ada]: "Ada Lovelace", [bob]: "Bob Tables" };
      // Groups in the order of their values: empty first, then the sys_ids.
      assert.deepEqual(result.map((g: { stats: { count: string }; groupby_fields: unknown[] }) => [g.groupby_fields, g.stats.count]), [
        [[{ field: "u_site.u_manager", value: "", display_value: "" }], "2"],
        ...[ada, bob].sort().map((id) => [[{ field: "u_site.u_manager", value: id, display_value: names[id] }], "1"]),
      ]);
    });

    test("a walked field the caller may not read is a 403 in every Aggregate API parameter", async () => {
      for (const [table, params, message] of [
        ["incident", { sysparm_count: "true", sysparm_group_by: "caller_id.failed_attempts" }, /^sysparm_group_by: abel\.tuter may not read the field sys_user\.failed_attempts/],
        ["incident", { sysparm_max_fields: "caller_id.failed_attempts" }, /^sysparm_max_fields: .*sys_user\.failed_attempts/],
        ["incident", { sysparm_group_by: "caller_id.name", sysparm_having: "max^caller_id.failed_attempts^>^0" }, /^sysparm_having: .*sys_user\.failed_attempts/],
        ["incident", { sysparm_group_by: "caller_id.name", sysparm_order_by: "AVG^caller_id.failed_attempts" }, /^sysparm_order_by: .*sys_user\.failed_attempts/],
        ["u_device", { sysparm_count: "true", sysparm_group_by: "u_vault.u_code" }, /may not read records of the table u_vault/],
        ["u_device", { sysparm_min_fields: "u_vault.u_code" }, /may not read records of the table u_vault/],
      ] as [string, Record<string, string>, RegExp][]) {
        const res = await get(`/api/now/stats/${table}`, params);
        assert.equal(res.status, 403, `${JSON.stringify(params)}: ${res.text}`);
        assert.match(res.body.error.message, message);
      }
      assert.deepEqual(await stats("u_device", { sysparm_max_fields: "u_vault.u_code" }, admin.token), { stats: { max: { "u_vault.u_code": "1234" } } });
    });

    test("a bad walk in the Aggregate API is a 400 naming the problem", async () => {
      for (const [table, params, message] of [
        ["incident", { sysparm_group_by: "caller_id.nofield" }, /sysparm_group_by: "caller_id.nofield" ends at "nofield", which is no field of sys_user/],
        ["incident", { sysparm_sum_fields: "caller_id.name" }, /SUM needs a numeric field; caller_id.name is string/],
        ["incident", { sysparm_group_by: "short_description.name" }, /only a reference can be dot-walked/],
        ["incident", { sysparm_group_by: "priority", sysparm_order_by: "caller_id.name" }, /caller_id.name is not a sysparm_group_by field/],
        ["incident", { sysparm_group_by: "priority", sysparm_query: "ORDERBYcaller_id.name" }, /ORDERBYcaller_id.name orders by a field that is not in sysparm_group_by/],
        ["u_device", { sysparm_group_by: "u_site.u_parent.u_parent.u_parent.u_name" }, /walks 4 references; at most 3 are followed/],
      ] as [string, Record<string, string>, RegExp][]) {
        const res = await get(`/api/now/stats/${table}`, params);
        assert.equal(res.status, 400, `${JSON.stringify(params)}: ${res.text}`);
        assert.match(res.body.error.message, message);
      }
    });
  });
}
