import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { signIn } from "../support/admin.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";
import { type GrantedTokens, liveTokenCount, passwordGrant, refreshError, revocationReasons, sessionCount, whoamiStatus } from "../support/user-access.ts";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

/**
 * sys_user is written by the generic record writer, from the Table API, the Batch API, GlideRecord
 * scripts and import sets alike. A user it makes inactive loses their sessions and tokens in the
 * same write, as the admin UI's Deactivate does, so making them active again brings none back.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`a user deactivated through the Table API's writer loses their sessions and tokens, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let client: RegisteredClient;

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      client = await registerClient(server.instance, { name: "Deactivation client", grant_types: "password,refresh_token" });
      await defineApi(server, admin, "x_users", "t", [
        { name: "deactivate", http_method: "POST", relative_path: "/deactivate/{id}", operation_script: "var gr = new GlideRecord('sys_user'); gr.get(request.pathParams.id); gr.active = false; return { updated: gr.update(), error: gr.getLastErrorMessage() };" },
      ]);
    });
    after(() => server.close());

    const db = () => server.instance.store.db;
    const setActive = (sysId: string, active: string) => api(server, "PATCH", `/api/now/table/sys_user/${sysId}`, { token: admin.token, body: { active } });

    /** A user with what they can sign in with: tokens by the password grant and a browser session. */
    async function signedInUser(userName: string): Promise<{ user: ApiUser; tokens: GrantedTokens }> {
      const user = await apiUser(server, userName);
      const tokens = await passwordGrant(server.base, client, userName, user.password);
      await signIn(server.base, userName, user.password);
      assert.equal(await whoamiStatus(server.base, tokens.access_token), 200);
      assert.equal(await sessionCount(db(), user.sysId), 1);
      return { user, tokens };
    }

    async function assertAccessEnded(user: ApiUser, tokens: GrantedTokens): Promise<void> {
      assert.equal(await whoamiStatus(server.base, tokens.access_token), 401, "the old access token is refused");
      assert.equal(await whoamiStatus(server.base, user.token), 401);
      assert.equal(await refreshError(server.base, client, tokens.refresh_token), "invalid_grant", "the old refresh token refreshes nothing");
      assert.equal(await liveTokenCount(db(), user.sysId), 0);
      assert.equal(await sessionCount(db(), user.sysId), 0, "their sign-in session is ended");
    }

    test("PATCH active=false revokes the user's tokens and ends their sessions, audited; PATCH active=true brings none back", async () => {
      const { user: carol, tokens } = await signedInUser("carol");
      const unchanged = await api(server, "PATCH", `/api/now/table/sys_user/${carol.sysId}`, { token: admin.token, body: { email: "carol@example.test", active: "true" } });
      assert.equal(unchanged.status, 200, unchanged.text);
      assert.equal(await whoamiStatus(server.base, tokens.access_token), 200, "a write that leaves the user active ends nothing");
      assert.equal(await sessionCount(db(), carol.sysId), 1);
      const res = await setActive(carol.sysId, "false");
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.result.active, "false");
      await assertAccessEnded(carol, tokens);
      assert.deepEqual(await revocationReasons(db(), carol.sysId), ["user deactivated"]);

      assert.equal((await setActive(carol.sysId, "true")).status, 200);
      await assertAccessEnded(carol, tokens);
      assert.equal(await whoamiStatus(server.base, (await passwordGrant(server.base, client, "carol", carol.password)).access_token), 200, "active again, carol signs in anew");
      assert.equal(await whoamiStatus(server.base, admin.token), 200, "the admin who wrote keeps their own");
    });

    test("a Batch API sub-request that deactivates a user ends their access the same way", async () => {
      const { user: ed, tokens } = await signedInUser("ed");
      const headers = [{ name: "Content-Type", value: "application/json" }, { name: "Accept", value: "application/json" }];
      const res = await api(server, "POST", "/api/now/v1/batch", { token: admin.token, body: { rest_requests: [{ id: "off", method: "PATCH", url: `/api/now/table/sys_user/${ed.sysId}`, headers, body: b64({ active: "false" }) }] } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.serviced_requests[0].status_code, 200);
      await assertAccessEnded(ed, tokens);
    });

    test("a GlideRecord script that sets active to false and updates ends the user's access the same way", async () => {
      const { user: fay, tokens } = await signedInUser("fay");
      const res = await api(server, "POST", `/api/x_users/t/deactivate/${fay.sysId}`, { token: admin.token, body: {} });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, { updated: fay.sysId, error: null });
      await assertAccessEnded(fay, tokens);
    });

    test("an import set can still target sys_user, and a row that deactivates a user ends their access", async () => {
      const post = async (table: string, body: Record<string, unknown>) => {
        const res = await api(server, "POST", `/api/now/table/${table}`, { token: admin.token, body });
        assert.equal(res.status, 201, `${table}: ${res.text}`);
        return res.body.result.sys_id as string;
      };
      await post("sys_db_object", { name: "u_imp_user", label: "User import", super_class: "sys_import_set_row" });
      for (const element of ["u_user_name", "u_active"]) await post("sys_dictionary", { name: "u_imp_user", element, internal_type: "string" });
      const map = await post("sys_transform_map", { name: "Users", source_table: "u_imp_user", target_table: "sys_user" });
      await post("sys_transform_entry", { map, source_field: "u_user_name", target_field: "user_name", coalesce: true });
      await post("sys_transform_entry", { map, source_field: "u_active", target_field: "active" });

      const { user: gus, tokens } = await signedInUser("gus");
      const res = await api(server, "POST", "/api/now/import/u_imp_user", { token: admin.token, body: { u_user_name: "gus", u_active: "false" } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.result[0].status, "updated", res.text);
      await assertAccessEnded(gus, tokens);
    });
  });
}
