import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";
import { whoamiStatus } from "../support/user-access.ts";

const lastAdmin = "this is the last active admin; grant admin to another user first";
const adminRole = "the instance's administrators hold this role; it cannot be deleted or renamed";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

/**
 * The admin UI and the CLI never take away the last active admin; the Table API, the Batch API
 * and GlideRecord scripts write sys_user, sys_user_has_role and sys_user_role through the generic
 * writer, and refuse the same, in the Table API's error envelope, changing nothing.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`the last active admin through the Table API's writer, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let adminGrant: string;
    let adminRoleId: string;
    let itilRoleId: string;

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      const db = server.instance.store.db;
      adminRoleId = (await db.selectFrom("sys_user_role").select("sys_id").where("name", "=", "admin").executeTakeFirstOrThrow()).sys_id;
      adminGrant = (await db.selectFrom("sys_user_has_role").select("sys_id").where("user", "=", admin.sysId).where("role", "=", adminRoleId).executeTakeFirstOrThrow()).sys_id;
      itilRoleId = (await api(server, "POST", "/api/now/table/sys_user_role", { token: admin.token, body: { name: "itil" } })).body.result.sys_id;
      await defineApi(server, admin, "x_admins", "t", [
        { name: "deactivate", http_method: "POST", relative_path: "/deactivate/{id}", operation_script: "var gr = new GlideRecord('sys_user'); gr.get(request.pathParams.id); gr.active = false; return { updated: gr.update(), error: gr.getLastErrorMessage() };" },
      ]);
    });
    after(() => server.close());

    async function assertRefused(method: string, path: string, body: Record<string, unknown> | undefined, message: string): Promise<void> {
      const before = await tableCounts(server.instance.store);
      const res = await api(server, method, path, { token: admin.token, ...(body ? { body } : {}) });
      assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body, { error: { message, detail: `invalid_request: ${message}` }, status: "failure" });
      assert.deepEqual(await tableCounts(server.instance.store), before, `${method} ${path} changed nothing`);
    }

    test("deactivating or deleting the last active admin's user record is a 400 naming why; they stay active with their token", async () => {
      await assertRefused("PATCH", `/api/now/table/sys_user/${admin.sysId}`, { active: "false" }, `active: ${lastAdmin}`);
      await assertRefused("PUT", `/api/now/table/sys_user/${admin.sysId}`, { active: "false", email: "gone@example.test" }, `active: ${lastAdmin}`);
      await assertRefused("DELETE", `/api/now/table/sys_user/${admin.sysId}`, undefined, lastAdmin);
      const stored = await server.instance.store.db.selectFrom("sys_user").select(["active", "email"]).where("sys_id", "=", admin.sysId).executeTakeFirstOrThrow();
      assert.deepEqual(stored, { active: 1, email: "" }, "the refused PUT wrote none of its fields");
      assert.equal(await whoamiStatus(server.base, admin.token), 200);
    });

    test("deleting or moving the last active admin's admin grant (sys_user_has_role) is a 400; so is deleting or renaming the admin role", async () => {
      // Moving the grant to an active user would keep an admin; to an inactive one, it keeps none.
      const inactive = await apiUser(server, "inactive.user");
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_user/${inactive.sysId}`, { token: admin.token, body: { active: "false" } })).status, 200);
      await assertRefused("DELETE", `/api/now/table/sys_user_has_role/${adminGrant}`, undefined, lastAdmin);
      await assertRefused("PATCH", `/api/now/table/sys_user_has_role/${adminGrant}`, { role: itilRoleId }, `role: ${lastAdmin}`);
      await assertRefused("PATCH", `/api/now/table/sys_user_has_role/${adminGrant}`, { user: inactive.sysId }, `user: ${lastAdmin}`);
      await assertRefused("DELETE", `/api/now/table/sys_user_role/${adminRoleId}`, undefined, adminRole);
      await assertRefused("PATCH", `/api/now/table/sys_user_role/${adminRoleId}`, { name: "superuser" }, `name: ${adminRole}`);
      assert.equal(await whoamiStatus(server.base, admin.token), 200);
    });

    test("the Batch API and GlideRecord refuse the same, and nothing changes", async () => {
      const headers = [{ name: "Content-Type", value: "application/json" }, { name: "Accept", value: "application/json" }];
      const batch = await api(server, "POST", "/api/now/v1/batch", {
        token: admin.token,
        body: { rest_requests: [{ id: "grant", method: "DELETE", url: `/api/now/table/sys_user_has_role/${adminGrant}`, headers }, { id: "user", method: "PATCH", url: `/api/now/table/sys_user/${admin.sysId}`, headers, body: b64({ active: "false" }) }] },
      });
      assert.equal(batch.status, 200, batch.text);
      const answers = Object.fromEntries(batch.body.serviced_requests.map((s: { id: string; status_code: number; body: string }) => [s.id, [s.status_code, JSON.parse(Buffer.from(s.body, "base64").toString("utf8")).error.message]]));
      assert.deepEqual(answers, { grant: [400, lastAdmin], user: [400, `active: ${lastAdmin}`] });
      const script = await api(server, "POST", `/api/x_admins/t/deactivate/${admin.sysId}`, { token: admin.token, body: {} });
      assert.equal(script.status, 200, script.text);
      assert.equal(script.body.result.updated, null);
      assert.match(script.body.result.error, /last active admin/);
      const grants = await server.instance.store.db.selectFrom("sys_user_has_role").select("sys_id").where("role", "=", adminRoleId).execute();
      assert.deepEqual(grants.map((g) => g.sys_id), [adminGrant]);
      assert.equal(await whoamiStatus(server.base, admin.token), 200);
    });

    test("with a second active admin, either can be deactivated or lose the role; then the one left cannot", async () => {
      const second = await apiUser(server, "second.admin");
      const granted = await api(server, "POST", "/api/now/table/sys_user_has_role", { token: admin.token, body: { user: second.sysId, role: adminRoleId } });
      assert.equal(granted.status, 201, granted.text);
      const off = await api(server, "PATCH", `/api/now/table/sys_user/${second.sysId}`, { token: admin.token, body: { active: "false" } });
      assert.equal(off.status, 200, off.text);
      await assertRefused("DELETE", `/api/now/table/sys_user_has_role/${adminGrant}`, undefined, lastAdmin);
      assert.equal((await api(server, "PATCH", `/api/now/table/sys_user/${second.sysId}`, { token: admin.token, body: { active: "true" } })).status, 200);
      const removed = await api(server, "DELETE", `/api/now/table/sys_user_has_role/${granted.body.result.sys_id}`, { token: admin.token });
      assert.equal(removed.status, 204, removed.text);
      await assertRefused("PATCH", `/api/now/table/sys_user/${admin.sysId}`, { active: "false" }, `active: ${lastAdmin}`);
      const deleted = await api(server, "DELETE", `/api/now/table/sys_user/${second.sysId}`, { token: admin.token });
      assert.equal(deleted.status, 204, "a user who is not an admin is deleted as before");
    });
  });
}
