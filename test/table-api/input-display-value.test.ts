import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

const byName = `?${q({ sysparm_input_display_value: "true" })}`;

for (const dialect of dialectsUnderTest()) {
  describe(`sysparm_input_display_value and references on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let clerk: ApiUser;
    let hr: ApiUser;
    let alpha: string;
    let client: string;
    const secretId = "5ec7e75ec7e75ec7e75ec7e75ec7e75e";
    const nowhere = "0000000000000000000000000000abcd";

    const post = (user: ApiUser, path: string, body: Record<string, unknown>) => api(server, "POST", path, { token: user.token, body });
    const assets = async () => (await api(server, "GET", "/api/now/table/u_asset", { token: admin.token })).body.result.length as number;

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      clerk = await apiUser(server, "clerk");
      hr = await apiUser(server, "hana", ["hr"]);
      const define = async (path: string, body: Record<string, unknown>) => assert.equal((await post(admin, path, body)).status, 201, JSON.stringify(body));
      await define("/api/now/table/sys_db_object", { name: "u_secret", read_roles: "hr", create_roles: "hr", write_roles: "hr" });
      await define("/api/now/table/sys_dictionary", { name: "u_secret", element: "u_name", internal_type: "string" });
      await define("/api/now/table/sys_db_object", { name: "u_asset" });
      await define("/api/now/table/sys_dictionary", { name: "u_asset", element: "u_serial", internal_type: "string" });
      await define("/api/now/table/sys_dictionary", { name: "u_asset", element: "u_secret", internal_type: "reference", reference: "u_secret" });
      await define("/api/now/table/sys_dictionary", { name: "u_asset", element: "u_client", internal_type: "reference", reference: "oauth_entity" });
      alpha = (await post(hr, "/api/now/table/u_secret", { u_name: "Alpha" })).body.result.sys_id;
      for (const name of ["Twin", "Twin"]) assert.equal((await post(hr, "/api/now/table/u_secret", { u_name: name })).status, 201);
      assert.equal((await post(hr, "/api/now/table/u_secret", { u_name: "Given", sys_id: secretId })).status, 201);
      client = (await registerClient(server.instance, { name: "Payroll" })).sysId;
    });
    after(() => server.close());

    test("a name in a reference to a table the caller may not read is refused alike whether no record, one or two bear it", async () => {
      const before = await assets();
      const answers = [];
      for (const name of ["Alpha", "Beta", "Twin"]) {
        const res = await post(clerk, `/api/now/table/u_asset${byName}`, { u_serial: "V1", u_secret: name });
        assert.equal(res.status, 400, `${name}: ${res.text}`);
        answers.push(res.body);
      }
      assert.deepEqual(answers[1], answers[0], "Beta, which no record bears, is answered as Alpha is");
      assert.deepEqual(answers[2], answers[0], "two records shown as Twin are not counted");
      assert.match(answers[0].error.message, /^u_secret: clerk may not read the display values of u_secret records, so one is named here by its sys_id only$/);
      const clients = [];
      for (const name of ["Payroll", "No such client"]) {
        const res = await post(clerk, `/api/now/table/u_asset${byName}`, { u_serial: "V2", u_client: name });
        assert.equal(res.status, 400, `${name}: ${res.text}`);
        clients.push(res.body);
      }
      assert.deepEqual(clients[1], clients[0], "the admin-only Application Registry does not confirm a client's name");
      const patched = await api(server, "PATCH", `/api/now/table/u_asset/${(await post(clerk, "/api/now/table/u_asset", { u_serial: "V3" })).body.result.sys_id}${byName}`, { token: clerk.token, body: { u_secret: "Alpha" } });
      assert.deepEqual(patched.body, answers[0], "nor does an update");
      assert.equal(await assets(), before + 1, "only the plain V3 was written");
    });

    test("where the caller may read the table, a name still finds its record", async () => {
      const res = await post(hr, `/api/now/table/u_asset${byName}`, { u_serial: "H1", u_secret: "Alpha" });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result.u_secret.value, alpha);
      const unknown = await post(hr, `/api/now/table/u_asset${byName}`, { u_serial: "H2", u_secret: "Beta" });
      assert.match(unknown.body.error.message, /u_secret: no u_secret record is shown as "Beta"/);
      const twin = await post(hr, `/api/now/table/u_asset${byName}`, { u_serial: "H3", u_secret: "Twin" });
      assert.match(twin.body.error.message, /u_secret: more than one u_secret record is shown as "Twin"/);
      const payroll = await post(admin, `/api/now/table/u_asset${byName}`, { u_serial: "A1", u_client: "Payroll" });
      assert.equal(payroll.body.result.u_client.value, client);
    });

    test("a sys_id into a table the caller may not read is stored as given, whether or not it is a record's, and shown as itself", async () => {
      for (const [sysId, path] of [[secretId, "/api/now/table/u_asset"], [nowhere, "/api/now/table/u_asset"], [secretId, `/api/now/table/u_asset${byName}`], [nowhere, `/api/now/table/u_asset${byName}`]] as const) {
        const res = await post(clerk, path, { u_serial: "S1", u_secret: sysId });
        assert.equal(res.status, 201, `${sysId} ${path}: ${res.text}`);
        assert.equal(res.body.result.u_secret.value, sysId);
        const shown = await api(server, "GET", `/api/now/table/u_asset/${res.body.result.sys_id}?${q({ sysparm_display_value: "true" })}`, { token: clerk.token });
        assert.equal(shown.body.result.u_secret.display_value, sysId, "not the name Given, which clerk may not read");
        const patched = await api(server, "PATCH", `/api/now/table/u_asset/${res.body.result.sys_id}`, { token: clerk.token, body: { u_secret: sysId === secretId ? nowhere : secretId } });
        assert.equal(patched.status, 200, patched.text);
      }
      for (const sysId of [client, nowhere]) {
        const res = await post(clerk, "/api/now/table/u_asset", { u_serial: "S2", u_client: sysId });
        assert.equal(res.status, 201, `${sysId}: ${res.text}`);
      }
    });

    test("a display value matches without regard to case, as = in a query does", async () => {
      const ada = await post(admin, "/api/now/table/sys_user", { user_name: "ada.l", first_name: "Ada", last_name: "Lovelace" });
      assert.equal(ada.status, 201, ada.text);
      const filed = await post(clerk, `/api/now/table/incident${byName}`, { short_description: "caseless caller", caller_id: "ada lovelace" });
      assert.equal(filed.status, 201, filed.text);
      assert.equal(filed.body.result.caller_id.value, ada.body.result.sys_id);
      const queried = await api(server, "GET", `/api/now/table/incident?${q({ "caller_id.name": "ada lovelace", sysparm_fields: "sys_id" })}`, { token: clerk.token });
      assert.deepEqual(queried.body.result, [{ sys_id: filed.body.result.sys_id }], "the query finds the record the same name made");
      const alphaAnyCase = await post(hr, `/api/now/table/u_asset${byName}`, { u_serial: "H4", u_secret: "ALPHA" });
      assert.equal(alphaAnyCase.status, 201, alphaAnyCase.text);
      assert.equal(alphaAnyCase.body.result.u_secret.value, alpha);
      assert.equal((await post(hr, "/api/now/table/u_secret", { u_name: "twin" })).status, 201);
      const twins = await post(hr, `/api/now/table/u_asset${byName}`, { u_serial: "H5", u_secret: "TWIN" });
      assert.match(twins.body.error.message, /u_secret: more than one u_secret record is shown as "TWIN"/);
    });

    test("a choice is named by its label in any case or by its value; an unknown label is refused by the field's labels", async () => {
      const labelled = await post(clerk, `/api/now/table/incident${byName}`, { short_description: "labels", state: "closed", priority: "1 - CRITICAL" });
      assert.equal(labelled.status, 201, labelled.text);
      assert.deepEqual([labelled.body.result.state, labelled.body.result.priority], ["7", "1"]);
      const valued = await post(clerk, `/api/now/table/incident${byName}`, { short_description: "values", state: "6" });
      assert.equal(valued.body.result.state, "6");
      const unknown = await post(clerk, `/api/now/table/incident${byName}`, { short_description: "unknown", state: "Closed Resolved" });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.message, 'state: no choice of state has the label "Closed Resolved"; its labels are New, In Progress, On Hold, Resolved, Closed, Canceled');
      const none = await api(server, "GET", `/api/now/table/incident?${q({ short_description: "unknown" })}`, { token: clerk.token });
      assert.equal(none.body.result.length, 0, "nothing was written");
    });

    test("a sys_id into a table the caller may read must still be a record's", async () => {
      const hrs = await post(hr, "/api/now/table/u_asset", { u_serial: "S3", u_secret: nowhere });
      assert.equal(hrs.status, 400);
      assert.match(hrs.body.error.message, new RegExp(`u_secret: no u_secret record with sys_id ${nowhere}`));
      const admins = await post(admin, "/api/now/table/u_asset", { u_serial: "S4", u_client: nowhere });
      assert.match(admins.body.error.message, new RegExp(`u_client: no oauth_entity record with sys_id ${nowhere}`));
    });
  });
}
