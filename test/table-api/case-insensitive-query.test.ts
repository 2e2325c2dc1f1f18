import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * The platform compares text in queries without regard to case ("GlideRecord queries are
 * case-insensitive", GlideFilter API reference): short_description=printer on fire finds
 * "Printer on fire". A sys_id is matched as stored, and numbers, booleans and dates are not text.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`encoded queries compare text without regard to case on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    const created: Record<string, { sys_id: string; number: string }> = {};
    const found = async (table: string, query: string, field: string, token = user.token): Promise<string[]> => {
      const res = await api(server, "GET", `/api/now/table/${table}?${q({ sysparm_query: query, sysparm_fields: field })}`, { token });
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body.result.map((r: Record<string, string>) => r[field]).sort();
    };
    const incidents = (query: string) => found("incident", query, "short_description");

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      for (const short_description of ["Printer on fire", "Email down", "printer jam", "École fermée"]) {
        const res = await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description, priority: "2" } });
        assert.equal(res.status, 201, res.text);
        created[short_description] = res.body.result;
      }
    });
    after(() => server.close());

    const operatorCases: [string, string[]][] = [
      ["short_description=printer on fire", ["Printer on fire"]],
      ["short_description=PRINTER ON FIRE", ["Printer on fire"]],
      ["short_description!=printer ON fire", ["Email down", "printer jam", "École fermée"]],
      ["short_descriptionINprinter on fire,EMAIL DOWN", ["Email down", "Printer on fire"]],
      ["short_descriptionNOT INprinter on fire,EMAIL DOWN", ["printer jam", "École fermée"]],
      ["short_descriptionSTARTSWITHPRINTER", ["Printer on fire", "printer jam"]],
      ["short_descriptionENDSWITHON FIRE", ["Printer on fire"]],
      ["short_descriptionLIKEIL DOW", ["Email down"]],
      ["short_descriptionNOT LIKEPRINTER", ["Email down", "École fermée"]],
      ["short_description=email down^ORshort_description=PRINTER JAM", ["Email down", "printer jam"]],
    ];
    for (const [query, expected] of operatorCases) {
      test(`sysparm_query ${JSON.stringify(query)}`, async () => {
        assert.deepEqual(await incidents(query), [...expected].sort());
      });
    }

    test("a record whose value differs only in case is found, its number and its user too", async () => {
      const number = created["Printer on fire"]!.number;
      assert.deepEqual(await found("incident", `number=${number.toLowerCase()}`, "number"), [number]);
      assert.deepEqual(await found("sys_user", "user_name=ABEL.TUTER", "user_name"), ["abel.tuter"]);
      assert.deepEqual(await found("sys_user", "user_nameINAdmin,nobody", "user_name"), ["admin"]);
      const pairs = await api(server, "GET", `/api/now/table/incident?${q({ short_description: "EMAIL DOWN", sysparm_fields: "short_description" })}`, { token: user.token });
      assert.deepEqual(pairs.body.result, [{ short_description: "Email down" }], "a name-value pair is an = condition");
      const counted = await api(server, "GET", `/api/now/stats/incident?${q({ sysparm_count: "true", sysparm_query: "short_descriptionINPRINTER ON FIRE,PRINTER JAM" })}`, { token: user.token });
      assert.equal(counted.body.result.stats.count, "2", "the Aggregate API counts what the Table API finds");
    });

    test("each database folds both sides alike, so the exact value always matches, accented letters included", async () => {
      assert.deepEqual(await incidents("short_description=École fermée"), ["École fermée"]);
      assert.deepEqual(await incidents("short_descriptionLIKEÉcole"), ["École fermée"]);
      assert.deepEqual(await incidents("short_descriptionSTARTSWITHÉCOLE"), ["École fermée"]);
    });

    test("a sys_id is compared as stored, and a reference takes only a sys_id", async () => {
      const sysId = created["Email down"]!.sys_id;
      assert.deepEqual(await incidents(`sys_id=${sysId}`), ["Email down"]);
      assert.deepEqual(await incidents(`sys_id=${sysId.toUpperCase()}`), []);
      assert.deepEqual(await incidents(`sys_idIN${sysId.toUpperCase()}`), []);
      const audit = await found("sys_audit", `documentkey=${sysId.toUpperCase()}`, "documentkey", admin.token);
      assert.deepEqual(audit, [], "sys_audit.documentkey holds a sys_id");
      // A table's name is stored lowercase, so only the value is folded (no lower() index on the audit).
      const byTable = await found("sys_audit", `tablename=INCIDENT^documentkey=${sysId}`, "tablename", admin.token);
      assert.ok(byTable.length > 0 && byTable.every((t) => t === "incident"), JSON.stringify(byTable));
      const reference = await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: `caller_id=${user.sysId.toUpperCase()}` })}`, { token: user.token });
      assert.equal(reference.status, 400, reference.text);
    });

    test("numbers and booleans are not text: their comparisons are unchanged", async () => {
      assert.equal((await incidents("priority=2")).length, 4);
      assert.equal((await incidents("active=true^priorityIN2")).length, 4);
      const bad = await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: "priority=Two" })}`, { token: user.token });
      assert.equal(bad.status, 400);
    });

    test("a custom table's text field compares without regard to case; its sys_id as stored", async () => {
      assert.equal((await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_gadget" } })).status, 201);
      assert.equal((await api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_gadget", element: "u_colour", internal_type: "string" } })).status, 201);
      const red = await api(server, "POST", "/api/now/table/u_gadget", { token: admin.token, body: { u_colour: "Red" } });
      assert.equal(red.status, 201, red.text);
      assert.deepEqual(await found("u_gadget", "u_colour=RED", "u_colour"), ["Red"]);
      assert.deepEqual(await found("u_gadget", "u_colour!=red", "u_colour"), []);
      assert.deepEqual(await found("u_gadget", `sys_id=${red.body.result.sys_id.toUpperCase()}`, "u_colour"), []);
    });
  });
}
