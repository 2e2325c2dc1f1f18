import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * gs's user functions in a Scripted REST script: who the caller is, as the platform's
 * GlideSystem tells it, and the same user the script's data calls act for.
 */
const whoami = `var u = gs.getUser();
return { id: gs.getUserID(), name: gs.getUserName(), display: gs.getUserDisplayName(), loggedIn: gs.isLoggedIn(),
  itil: gs.hasRole('itil'), either: gs.hasRole('nope, itil'), admin: gs.hasRole('admin'), none: gs.hasRole('nope'),
  userId: u.getID(), userName: u.getName(), userDisplay: u.getDisplayName(), roles: u.getRoles().sort(), userItil: u.hasRole('itil') };`;
const mine = `var gr = new GlideRecord('incident'); gr.addQuery('caller_id', gs.getUserID()); gr.query();
var out = []; while (gr.next()) out.push(gr.short_description.toString()); return out.sort();`;

for (const dialect of [dialectsUnderTest()[0]!]) {
  describe(`gs.getUserID(), getUserName(), hasRole() and getUser() in Scripted REST scripts on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect, { scriptTimeoutMs: 20_000 });
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada", ["itil"]);
      await defineApi(server, admin, "x_who", "t", [
        { name: "whoami", http_method: "GET", relative_path: "/whoami", operation_script: whoami },
        { name: "guest", http_method: "GET", relative_path: "/guest", operation_script: whoami, requires_authentication: false },
        { name: "mine", http_method: "GET", relative_path: "/mine", operation_script: mine },
      ]);
      for (const [text, caller] of [["ada's", ada.sysId], ["admin's", admin.sysId]] as const)
        assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: text, caller_id: caller } })).status, 201);
    });
    after(() => server.close());

    test("the caller's sys_id, name and display name; hasRole as on the platform (any of a comma list, admin passes every check)", async () => {
      const asAda = await api(server, "GET", "/api/x_who/t/whoami", { token: ada.token });
      assert.equal(asAda.status, 200, asAda.text);
      assert.deepEqual(asAda.body.result, {
        id: ada.sysId, name: "ada", display: "ada Name", loggedIn: true,
        itil: true, either: true, admin: false, none: false,
        userId: ada.sysId, userName: "ada", userDisplay: "ada Name", roles: ["itil"], userItil: true,
      });
      const asAdmin = await api(server, "GET", "/api/x_who/t/whoami", { token: admin.token });
      assert.equal(asAdmin.body.result.id, admin.sysId);
      assert.equal(asAdmin.body.result.itil, true, "admin passes a check for a role it does not hold");
      assert.equal(asAdmin.body.result.none, true);
    });

    test("a resource that needs no authentication runs as the guest: no sys_id, not logged in, no role", async () => {
      const res = await api(server, "GET", "/api/x_who/t/guest");
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, {
        id: "", name: "guest", display: "Guest", loggedIn: false,
        itil: false, either: false, admin: false, none: false,
        userId: "", userName: "guest", userDisplay: "Guest", roles: [], userItil: false,
      });
    });

    test("gr.addQuery('caller_id', gs.getUserID()) finds the caller's own records", async () => {
      assert.deepEqual((await api(server, "GET", "/api/x_who/t/mine", { token: ada.token })).body.result, ["ada's"]);
      assert.deepEqual((await api(server, "GET", "/api/x_who/t/mine", { token: admin.token })).body.result, ["admin's"]);
    });
  });
}
