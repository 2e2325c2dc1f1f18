import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * GlideQueryCondition in a Scripted REST script, as the platform documents it: addQuery (and
 * addActiveQuery, addNullQuery, addNotNullQuery) return one; addCondition ANDs into it,
 * addOrCondition ORs with it, and each returns the condition it added, so
 * `a.addOrCondition(…).addCondition(…)` is an AND inside the OR.
 */
const found = "var found = []; while (gr.next()) found.push(gr.short_description.toString()); found.sort();";
const scripts = {
  and: `var gr = new GlideRecord('incident'); var qc = gr.addQuery('priority', 1); var added = qc.addCondition('state', 2);
gr.query(); ${found} var encoded = gr.getEncodedQuery();
var kinds = [typeof added.addCondition, typeof added.addOrCondition, typeof gr.addActiveQuery().addCondition, typeof gr.addNullQuery('assigned_to').addOrCondition, typeof gr.addNotNullQuery('caller_id').addCondition];
return { found: found, encoded: encoded, kinds: kinds };`,
  nested: `var gr = new GlideRecord('incident');
var a = gr.addQuery('priority', 1); a.addCondition('state', 1);
var b = a.addOrCondition('priority', 3); b.addCondition('state', '>=', 3);
gr.addQuery('short_description', 'STARTSWITH', 'p'); gr.query(); ${found}
return { found: found, encoded: gr.getEncodedQuery(), error: gr.getLastErrorMessage() };`,
  active: `var gr = new GlideRecord('incident'); gr.addActiveQuery().addCondition('priority', '>', 3); gr.query(); ${found}
return { found: found, encoded: gr.getEncodedQuery() };`,
  invalid: `var out = {};
var a = new GlideRecord('incident'); a.addQuery('priority', 1).addCondition('state', 'LOOKS LIKE', 2); a.query(); out.badOperator = [a.next(), a.getLastErrorMessage()];
var b = new GlideRecord('incident'); b.addQuery('priority', 1).addCondition('no_such_field', 2); b.query(); out.badField = [b.next(), b.getLastErrorMessage()];
var c = new GlideRecord('incident'); c.addQuery('no_such_field', 1).addCondition('priority', 1).addOrCondition('state', 1); c.query(); out.onInvalid = [c.next(), c.getLastErrorMessage()];
var d = new GlideRecord('incident'); var root = d.addQuery('priority', 1); root.addCondition('state', 1);
for (var i = 0; i < 8; i++) root.addOrCondition('priority', i).addCondition('state', i);
d.query(); out.tooLarge = [d.next(), d.getLastErrorMessage()];
return out;`,
};

for (const dialect of dialectsUnderTest()) {
  describe(`GlideQueryCondition in Scripted REST scripts on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_cond", "t", Object.entries(scripts).map(([name, script]) => ({ name, http_method: "GET", relative_path: `/${name}`, operation_script: script })));
      const seed = [
        { short_description: "p1 s1", priority: "1", state: "1", caller_id: ada.sysId },
        { short_description: "p1 s2", priority: "1", state: "2" },
        { short_description: "p3 s2", priority: "3", state: "2" },
        { short_description: "p3 s3", priority: "3", state: "3" },
        { short_description: "p4 s1", priority: "4", state: "1" },
        { short_description: "p4 s1 closed", priority: "4", state: "1", active: "false" },
      ];
      for (const body of seed) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body })).status, 201);
    });
    after(() => server.close());

    const call = async (name: string) => {
      const res = await api(server, "GET", `/api/x_cond/t/${name}`, { token: ada.token });
      assert.equal(res.status, 200, res.text);
      return res.body.result;
    };

    test("addCondition ANDs into the condition addQuery returned, and every query method returns a condition", async () => {
      const { found, encoded, kinds } = await call("and");
      assert.deepEqual(found, ["p1 s2"]);
      assert.equal(encoded, "priority=1^state=2");
      assert.deepEqual(kinds, ["function", "function", "function", "function", "function"]);
    });

    test("addCondition on the condition addOrCondition returned is an AND inside the OR: (A and B) or (C and D)", async () => {
      const { found, encoded, error } = await call("nested");
      assert.equal(error, null);
      assert.deepEqual(found, ["p1 s1", "p3 s3"], "not p1 s2 (state), not p3 s2 (state), not p4 s1 (priority)");
      // The encoded query has no parentheses: the same condition as ANDed ORs.
      assert.equal(encoded, "priority=1^ORpriority=3^priority=1^ORstate>=3^state=1^ORpriority=3^state=1^ORstate>=3^short_descriptionSTARTSWITHp");
    });

    test("addActiveQuery returns its condition too", async () => {
      assert.deepEqual(await call("active"), { found: ["p4 s1"], encoded: "active=true^priority>3" });
    });

    test("an invalid addCondition, one on an invalid condition, or a tree too large for an encoded query finds nothing and says why", async () => {
      const { badOperator, badField, onInvalid, tooLarge } = await call("invalid");
      assert.deepEqual(badOperator, [false, 'addCondition: unknown operator "LOOKS LIKE"']);
      assert.equal(badField[0], false);
      assert.match(badField[1], /has no field "no_such_field"/);
      assert.equal(onInvalid[0], false);
      assert.match(onInvalid[1], /has no field "no_such_field"/);
      assert.equal(tooLarge[0], false);
      assert.match(tooLarge[1], /^addCondition: written as ANDed ORs, as an encoded query writes it, the condition would need more than 200 conditions; write it with addEncodedQuery$/);
    });
  });
}
