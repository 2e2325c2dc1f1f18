import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * Empty text is one group, as the platform shows it, on the Aggregate API and in GlideAggregate:
 * a text or reference field holds NULL where a record is older than the field (added to the
 * table since) or a walk arrives nowhere, and "" where a record was written empty; both are the
 * one empty group, counted together, first in ascending order and last in descending, and
 * GlideAggregate's encoded query for it (ISEMPTY) finds all of its records.
 */
const groups = `var out = [];
var ga = new GlideAggregate('u_part'); ga.addAggregate('COUNT'); ga.groupBy(field); if (down) ga.orderByDesc(field); ga.query();
while (ga.next()) { var q = ga.getAggregateEncodedQuery(), gr = new GlideRecord('u_part'); gr.addEncodedQuery(q); gr.query();
  out.push([ga.getValue(field), ga.getAggregate('COUNT'), gr.getRowCount(), q]); }
return out;`;
const scripts: Record<string, string> = {
  note: `var field = 'u_note', down = false; ${groups}`,
  noteDown: `var field = 'u_note', down = true; ${groups}`,
  walked: `var field = 'u_maker.u_country', down = false; ${groups}`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`NULL and "" are one empty group on the Aggregate API and in GlideAggregate on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    const post = async (table: string, body: Record<string, unknown>): Promise<string> => {
      const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
      assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
      return res.body.result.sys_id;
    };
    const field = (name: string, element: string, internal_type: string, reference?: string) => post("sys_dictionary", { name, element, internal_type, ...(reference ? { reference } : {}) });

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      await post("sys_db_object", { name: "u_maker", label: "Maker" });
      await post("sys_db_object", { name: "u_part", label: "Part" });
      await field("u_maker", "u_country", "string");
      await field("u_part", "u_name", "string");
      await field("u_part", "u_maker", "reference", "u_maker");
      // Two parts older than u_note: their u_note is NULL.
      await post("u_part", { u_name: "bolt" });
      await post("u_part", { u_name: "nut" });
      await field("u_part", "u_note", "string");
      const nowhere = await post("u_maker", { u_country: "" });
      const korea = await post("u_maker", { u_country: "Korea" });
      await post("u_part", { u_name: "gear", u_note: "", u_maker: nowhere });
      await post("u_part", { u_name: "cog", u_note: "Spare", u_maker: korea });
      await post("u_part", { u_name: "pin", u_note: "spare", u_maker: korea });
      await defineApi(server, admin, "x_empty_groups", "t", Object.entries(scripts).map(([name, script]) => ({ name, http_method: "GET", relative_path: `/${name}`, operation_script: script })));
      const nulls = await server.instance.store.db.selectFrom("u_part" as never).select("u_name" as never).where("u_note" as never, "is", null).execute();
      assert.equal(nulls.length, 2, "the parts older than the field hold NULL");
    });
    after(() => server.close());

    const stats = async (params: Record<string, string>): Promise<string[][]> => {
      const res = await api(server, "GET", `/api/now/stats/u_part?${q({ sysparm_count: "true", ...params })}`, { token: admin.token });
      assert.equal(res.status, 200, res.text);
      return res.body.result.map((g: { stats: { count: string }; groupby_fields: { value: string }[] }) => [...g.groupby_fields.map((f) => f.value), g.stats.count]);
    };
    const call = async (name: string) => {
      const res = await api(server, "GET", `/api/x_empty_groups/t/${name}`, { token: admin.token });
      assert.equal(res.status, 200, res.text);
      return res.body.result;
    };

    test("sysparm_group_by makes one empty group of NULL and \"\", in either order and beside a second group", async () => {
      assert.deepEqual(await stats({ sysparm_group_by: "u_note" }), [["", "3"], ["Spare", "2"]]);
      assert.deepEqual(await stats({ sysparm_group_by: "u_note", sysparm_order_by: "u_note^DESC" }), [["Spare", "2"], ["", "3"]]);
      assert.deepEqual(await stats({ sysparm_group_by: "u_note", sysparm_having: "count^u_name^>^2" }), [["", "3"]], "a having sees the whole group");
      // A reference: no maker is NULL; the walk to a maker's empty country is "".
      assert.deepEqual(await stats({ sysparm_group_by: "u_maker.u_country" }), [["", "3"], ["Korea", "2"]]);
      assert.deepEqual(await stats({ sysparm_group_by: "u_maker" }).then((rows) => rows.map((r) => r[1])), ["2", "1", "2"], "an empty reference and two makers");
      assert.deepEqual(await stats({ sysparm_group_by: "u_maker.u_country,u_note" }), [["", "", "3"], ["Korea", "Spare", "2"]]);
    });

    test("GlideAggregate groupBy makes the same one empty group, whose encoded query finds all its records", async () => {
      const empty = ["", "3", 3, "u_noteISEMPTY"];
      const spare = ["Spare", "2", 2, "u_note=Spare"];
      assert.deepEqual(await call("note"), [empty, spare]);
      assert.deepEqual(await call("noteDown"), [spare, empty]);
      assert.deepEqual(await call("walked"), [["", "3", 3, "u_maker.u_countryISEMPTY"], ["Korea", "2", 2, "u_maker.u_country=Korea"]]);
    });
  });
}
