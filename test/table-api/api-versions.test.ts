import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * The Table API's versions differ on an empty list: "Version 1 returns error code 404 with no
 * results; Version 2 returns 200". The unversioned path is the latest, v2.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Table API versions: an empty list on v1, v2 and unversioned on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      user = await apiUser(server, "beth.anglin");
      const res = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "the only one", priority: "2" } });
      assert.equal(res.status, 201, res.text);
    });
    after(() => server.close());

    const list = (base: string, params: Record<string, string>) => api(server, "GET", `${base}/incident?${q(params)}`, { token: user.token });

    test("v1 answers a query that finds nothing with 404 in the error envelope, in the platform's words", async () => {
      const none = await list("/api/now/v1/table", { sysparm_query: "priority=9" });
      assert.equal(none.status, 404, none.text);
      assert.deepEqual(none.body, { error: { message: "No Record found", detail: "Records matching query not found. Check query parameter or offset parameter" }, status: "failure" });
      const pastTheEnd = await list("/api/now/v1/table", { sysparm_offset: "5" });
      assert.equal(pastTheEnd.status, 404, "an offset past the last record finds nothing too");
    });

    test("v1 with results, v2 and the unversioned path answer 200", async () => {
      const found = await list("/api/now/v1/table", { sysparm_query: "priority=2", sysparm_fields: "short_description" });
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(found.body.result, [{ short_description: "the only one" }]);
      for (const base of ["/api/now/v2/table", "/api/now/table"]) {
        const empty = await list(base, { sysparm_query: "priority=9" });
        assert.equal(empty.status, 200, `${base}: ${empty.text}`);
        assert.deepEqual(empty.body, { result: [] });
        assert.equal(empty.headers.get("x-total-count"), "0");
      }
    });
  });
}
