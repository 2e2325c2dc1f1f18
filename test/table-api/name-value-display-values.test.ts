import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * Name-value pairs take display values, as the platform's Table API reference says of them: "You
 * can also use the display value when the field is a choice or reference type field, such as
 * &state=closed instead of &state=7". A choice's label selects its value and a reference matches
 * the records its text shows, without regard to case, where the caller may read them.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Table API and Aggregate API name-value pairs by display value on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let ada: string;
    let counts: Record<string, number>;
    const get = (table: string, params: Record<string, string>, token = user.token) => api(server, "GET", `/api/now/table/${table}?${q(params)}`, { token });
    const post = async (table: string, body: Record<string, unknown>): Promise<string> => {
      const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
      assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
      return res.body.result.sys_id;
    };
    /** The short descriptions (or u_names) the pairs select, sorted; X-Total-Count agrees. */
    const found = async (params: Record<string, string>, table = "incident", key = "short_description", token = user.token) => {
      const res = await get(table, { ...params, sysparm_fields: key }, token);
      assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
      assert.equal(res.headers.get("x-total-count"), String(res.body.result.length));
      return res.body.result.map((r: Record<string, string>) => r[key]).sort();
    };
    const count = async (params: Record<string, string>) => {
      const res = await api(server, "GET", `/api/now/stats/incident?${q({ ...params, sysparm_count: "true" })}`, { token: user.token });
      assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
      return res.body.result.stats.count;
    };

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      ada = await post("sys_user", { user_name: "ada.l", name: "Ada Lovelace" });
      // A second record shown alike, but for case: a display value need not be unique.
      const ada2 = await post("sys_user", { user_name: "ada.k", name: "ada lovelace" });
      const bob = await post("sys_user", { user_name: "bob.t", name: "Bob Tables" });
      await post("incident", { short_description: "Disk full", state: "2", priority: "1", assigned_to: ada, caller_id: bob });
      await post("incident", { short_description: "Email down", state: "7", priority: "2", assigned_to: ada2 });
      await post("incident", { short_description: "Printer jam", state: "1", priority: "3", assigned_to: bob });
      await post("incident", { short_description: "VPN", state: "2", priority: "4" });
      // u_device → u_site (shown by u_name) → sys_user; u_vault, which only vault keepers read;
      // u_note → sys_user_has_role, which is shown by its role, a reference itself.
      await post("sys_db_object", { name: "u_site", label: "Site" });
      await post("sys_db_object", { name: "u_vault", label: "Vault", read_roles: "vault_keeper" });
      await post("sys_db_object", { name: "u_device", label: "Device" });
      await post("sys_db_object", { name: "u_note", label: "Note" });
      for (const [name, element, internal_type, reference] of [
        ["u_site", "u_name", "string"],
        ["u_site", "u_manager", "reference", "sys_user"],
        ["u_vault", "u_code", "string"],
        ["u_device", "u_name", "string"],
        ["u_device", "u_site", "reference", "u_site"],
        ["u_device", "u_vault", "reference", "u_vault"],
        ["u_note", "u_name", "string"],
        ["u_note", "u_grant", "reference", "sys_user_has_role"],
      ]) {
        await post("sys_dictionary", { name, element, internal_type, ...(reference ? { reference } : {}) });
      }
      const hq = await post("u_site", { u_name: "HQ", u_manager: ada });
      const lab = await post("u_site", { u_name: "Lab", u_manager: bob });
      const vault = await post("u_vault", { u_code: "1234" });
      await post("u_device", { u_name: "Laptop", u_site: lab, u_vault: vault });
      await post("u_device", { u_name: "Phone", u_site: hq });
      const keeper = await apiUser(server, "vault.keeper", ["vault_keeper"]);
      const grants = await get("sys_user_has_role", { user: keeper.sysId, sysparm_fields: "sys_id" }, admin.token);
      await post("u_note", { u_name: "Keeper's grant", u_grant: grants.body.result[0].sys_id });
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no query wrote anything");
      await server.close();
    });

    test("a choice field's label selects its value, in any case; a stored value still selects itself", async () => {
      assert.deepEqual(await found({ state: "In Progress" }), ["Disk full", "VPN"]);
      assert.deepEqual(await found({ state: "in progress" }), ["Disk full", "VPN"]);
      assert.deepEqual(await found({ state: "closed" }), ["Email down"], "the reference's own example, &state=closed");
      assert.deepEqual(await found({ priority: "1 - CRITICAL", state: "In Progress" }), ["Disk full"]);
      assert.deepEqual(await found({ state: "2" }), ["Disk full", "VPN"]);
      assert.deepEqual(await found({ state: "5" }), [], "a whole number no choice has still matches as stored");
      assert.deepEqual(await found({ sysparm_query: "priority=1^NQpriority=3", state: "New" }), ["Printer jam"], "ANDed with every ^NQ query");
    });

    test("a value that is neither a choice's value nor its label is a 400 naming the choices", async () => {
      for (const [field, value] of [["state", "Finished"], ["priority", "high"]] as const) {
        const res = await get("incident", { [field]: value });
        assert.equal(res.status, 400, res.text);
        assert.match(res.body.error.message, new RegExp(`no choice of ${field} has the label or value "${value}"`));
        assert.match(res.body.error.message, /1 \((New|1 - Critical)\)/);
      }
    });

    test("a reference that is not a sys_id matches every record whose display value it is, in any case", async () => {
      assert.deepEqual(await found({ assigned_to: "Ada Lovelace" }), ["Disk full", "Email down"], "two users are shown so");
      assert.deepEqual(await found({ assigned_to: "BOB TABLES" }), ["Printer jam"]);
      assert.deepEqual(await found({ assigned_to: "bob tables", state: "in progress" }), []);
      assert.deepEqual(await found({ caller_id: "Bob Tables", assigned_to: "ada lovelace" }), ["Disk full"]);
      assert.deepEqual(await found({ assigned_to: ada }), ["Disk full"], "a sys_id is matched as stored");
      assert.deepEqual(await found({ assigned_to: "ada.l" }), [], "a user_name is not sys_user's display value (name)");
      assert.deepEqual(await found({ assigned_to: "Nobody" }), []);
      assert.deepEqual(await found({ u_site: "hq" }, "u_device", "u_name"), ["Phone"], "a custom table's display field (u_name)");
      assert.deepEqual(await found({ "u_site.u_manager": "Bob Tables" }, "u_device", "u_name"), ["Laptop"], "a walked reference too");
      assert.deepEqual(await found({ u_grant: "VAULT_KEEPER" }, "u_note", "u_name"), ["Keeper's grant"], "through a display field that is itself a reference");
    });

    test("the Aggregate API reads display values in its pairs as the Table API does", async () => {
      assert.equal(await count({ state: "In Progress" }), "2");
      assert.equal(await count({ assigned_to: "ada lovelace" }), "2");
      assert.equal(await count({ assigned_to: "Ada Lovelace", state: "Closed" }), "1");
      const wrong = await api(server, "GET", `/api/now/stats/incident?${q({ sysparm_count: "true", state: "Finished" })}`, { token: user.token });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.error.message, /no choice of state has the label or value "Finished"/);
    });

    test("a display value in a table the caller may not read is refused whatever it is, and matched for a caller who may read it", async () => {
      const refusals = [];
      for (const value of ["1234", "0000"]) {
        const res = await get("u_device", { u_vault: value });
        assert.equal(res.status, 403, res.text);
        refusals.push(res.body.error.message.replace(value, "…"));
      }
      assert.equal(refusals[0], refusals[1], "the refusal does not depend on whether a record is shown so");
      assert.match(refusals[0], /may not read records of the table u_vault/);
      assert.deepEqual(await found({ u_vault: "1234" }, "u_device", "u_name", admin.token), ["Laptop"]);
    });
  });
}
