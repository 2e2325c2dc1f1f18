import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * Name-value pairs (`?active=true&priority=1`): the platform's Table API GET and Aggregate API
 * read a parameter that is not sysparm_* as field=value, ANDed with sysparm_query. Ignoring them
 * answers with every record, which a script would then update or delete.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Table API and Aggregate API name-value pair filters on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let counts: Record<string, number>;
    const numbers: string[] = [];
    const list = (params: Record<string, string>, token = user.token) => api(server, "GET", `/api/now/table/incident?${q(params)}`, { token });
    const found = async (params: Record<string, string>) => {
      const res = await list({ ...params, sysparm_fields: "short_description" });
      assert.equal(res.status, 200, `${JSON.stringify(params)}: ${res.text}`);
      assert.equal(res.headers.get("x-total-count"), String(res.body.result.length));
      return res.body.result.map((r: { short_description: string }) => r.short_description).sort();
    };

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      const seed = [
        { short_description: "Disk full", priority: "1", state: "1", caller_id: user.sysId },
        { short_description: "Email down", priority: "1", state: "2", active: "false" },
        { short_description: "Printer jam", priority: "2", state: "1" },
        { short_description: "Caret ^ test", priority: "3", state: "2", active: "false" },
      ];
      for (const body of seed) {
        const res = await api(server, "POST", "/api/now/table/incident", { token: admin.token, body });
        assert.equal(res.status, 201, res.text);
        numbers.push(res.body.result.number);
      }
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no query wrote anything");
      await server.close();
    });

    test("a field=value parameter selects the records that match it, and X-Total-Count counts only those", async () => {
      const res = await list({ number: numbers[1]!, sysparm_fields: "number" });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, [{ number: numbers[1] }]);
      assert.equal(res.headers.get("x-total-count"), "1");
      assert.deepEqual(await found({ priority: "1", active: "true" }), ["Disk full"]);
      assert.deepEqual(await found({ short_description: "Caret ^ test" }), ["Caret ^ test"], "a caret in the value is a caret, not a new condition");
      assert.deepEqual(await found({ caller_id: "" }), ["Caret ^ test", "Email down", "Printer jam"], "an empty value is ISEMPTY, as field= in sysparm_query");
      assert.deepEqual(await found({ priority: "9" }), []);
      assert.deepEqual(await found({ priority: "1", active: "true", _: "1733500000000" }), ["Disk full"], "a cache-buster is no filter and no error");
    });

    test("the pairs are ANDed with sysparm_query, every ^NQ query included", async () => {
      assert.deepEqual(await found({ sysparm_query: "priority=1", state: "2" }), ["Email down"]);
      assert.deepEqual(await found({ sysparm_query: "priority=1^NQpriority=3", active: "false" }), ["Caret ^ test", "Email down"]);
      assert.deepEqual(await found({ sysparm_query: "priority=1^ORpriority=2^ORDERBYshort_description", state: "1" }), ["Disk full", "Printer jam"]);
    });

    test("a parameter that names no field of the table, a secret or a value of the wrong type is a 400; a masked field is a 403", async () => {
      const unknown = await list({ no_such_field: "1" });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /the parameter "no_such_field" is not a field of incident/);
      assert.equal((await list({ Priority: "1" })).status, 400, "field names are lowercase");
      assert.equal((await list({ priority: "high" })).status, 400);
      assert.equal((await api(server, "GET", "/api/now/table/incident?priority=1&priority=2", { token: user.token })).status, 400, "repeated");
      const secret = await api(server, "GET", `/api/now/table/sys_user?${q({ password_hash: "x" })}`, { token: admin.token });
      assert.equal(secret.status, 400);
      const masked = await api(server, "GET", `/api/now/table/sys_user?${q({ failed_attempts: "0" })}`, { token: user.token });
      assert.equal(masked.status, 403, masked.text);
    });

    test("the Aggregate API counts only what the pairs select, and refuses an unknown one", async () => {
      const stats = (params: Record<string, string>) => api(server, "GET", `/api/now/stats/incident?${q(params)}`, { token: user.token });
      assert.deepEqual((await stats({ sysparm_count: "true", priority: "1" })).body.result, { stats: { count: "2" } });
      assert.deepEqual((await stats({ sysparm_count: "true", sysparm_query: "priority=1", active: "true" })).body.result, { stats: { count: "1" } });
      const grouped = await stats({ sysparm_count: "true", sysparm_group_by: "priority", active: "false" });
      assert.deepEqual(grouped.body.result.map((g: { groupby_fields: { value: string }[] }) => g.groupby_fields[0]!.value), ["1", "3"]);
      const unknown = await stats({ sysparm_count: "true", no_such_field: "1" });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error.message, /not a field of incident/);
    });
  });
}
