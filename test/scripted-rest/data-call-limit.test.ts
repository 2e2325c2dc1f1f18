import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * A run may make 1000 data calls. GlideRecord reports a refused call through
 * getLastErrorMessage rather than throwing, and a script may catch table.*'s errors: either
 * way the run that went past the limit fails naming it, as one past the records limit does.
 */
const scripts = {
  "GlideRecord gets": "for (var i = 0; i < 1001; i++) { var g = new GlideRecord('incident'); g.get('number', 'INC0000000'); } return 'done';",
  "GlideRecord gets, errors caught": "for (var i = 0; i < 1001; i++) { try { var g = new GlideRecord('incident'); g.get('number', 'INC0000000'); } catch (e) {} } return 'done';",
  "table.query": "for (let i = 0; i < 1001; i++) await table.query('incident', 'number=INC0000000', 1); return 'done';",
  "table.query, errors caught": "for (let i = 0; i < 1001; i++) { try { await table.query('incident', 'number=INC0000000', 1); } catch (e) {} } return 'done';",
};

for (const dialect of dialectsUnderTest()) {
  describe(`the data-call limit on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect, { scriptTimeoutMs: 20_000 });
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_calls", "t", [
        ...Object.entries(scripts).map(([name, script], i) => ({ name, http_method: "GET", relative_path: `/s${i}`, operation_script: script })),
        { name: "within", http_method: "GET", relative_path: "/within", operation_script: "for (var i = 0; i < 1000; i++) { var g = new GlideRecord('incident'); g.get('number', 'INC0000000'); } return 'done';" },
      ]);
    });
    after(() => server.close());

    for (const [i, name] of Object.keys(scripts).entries()) {
      test(`a run past 1000 data calls through ${name} fails naming the limit`, async () => {
        const res = await api(server, "GET", `/api/x_calls/t/s${i}`, { token: ada.token });
        assert.equal(res.status, 500, res.text);
        assert.equal(res.body.error.detail, "the script made more data calls than its limit", res.text);
      });
    }

    test("a run of exactly 1000 data calls answers", async () => {
      const res = await api(server, "GET", "/api/x_calls/t/within", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result, "done");
    });
  });
}
