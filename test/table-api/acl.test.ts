import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { tokenLookupKey } from "../../src/domain/token-value.ts";
import { createClient, findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Table API ACL by role and operation, and field masking, on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "fred.luddy");
    });
    after(() => server.close());

    const refused = async (method: string, path: string, token: string, body?: unknown) => {
      const counts = await tableCounts(server.instance.store);
      const res = await api(server, method, path, { token, ...(body === undefined ? {} : { body }) });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.status, "failure");
      assert.deepEqual(await tableCounts(server.instance.store), counts, `${method} ${path} changed nothing`);
    };

    test("a user without admin cannot read or change the Application Registry, tokens or the audit trail", async () => {
      await refused("GET", "/api/now/table/oauth_entity", user.token);
      await refused("POST", "/api/now/table/oauth_entity", user.token, { name: "Mine" });
      await refused("GET", "/api/now/table/oauth_credential", user.token);
      await refused("GET", "/api/now/table/sys_audit", user.token);
    });

    test("granting roles needs admin: sys_user_has_role, sys_user_role and sys_user writes are refused to others", async () => {
      const adminRole = (await api(server, "GET", "/api/now/table/sys_user_role?sysparm_query=name=admin", { token: user.token })).body.result[0];
      assert.ok(adminRole, "any user may read roles");
      await refused("POST", "/api/now/table/sys_user_has_role", user.token, { user: user.sysId, role: adminRole.sys_id });
      await refused("POST", "/api/now/table/sys_user_role", user.token, { name: "superuser" });
      await refused("PATCH", `/api/now/table/sys_user/${user.sysId}`, user.token, { name: "Renamed" });
      await refused("DELETE", `/api/now/table/sys_user/${admin.sysId}`, user.token);
      const granted = await api(server, "POST", "/api/now/table/sys_user_has_role", { token: admin.token, body: { user: user.sysId, role: adminRole.sys_id } });
      assert.equal(granted.status, 201, granted.text);
      const who = await api(server, "GET", "/api/now/table/oauth_entity", { token: user.token });
      assert.equal(who.status, 200, "roles are read when the token is used");
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_user_has_role/${granted.body.result.sys_id}`, { token: admin.token })).status, 204);
      await refused("GET", "/api/now/table/oauth_entity", user.token);
    });

    test("only admin deletes incidents; any user creates, reads and updates them", async () => {
      const created = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "mine" } });
      assert.equal(created.status, 201);
      await refused("DELETE", `/api/now/table/incident/${created.body.result.sys_id}`, user.token);
    });

    test("tokens, audit rows and credentials are read-only even for admin; hashes never appear", async () => {
      const tokens = await api(server, "GET", "/api/now/table/oauth_credential", { token: admin.token });
      assert.equal(tokens.status, 200);
      assert.ok(tokens.body.result.length > 0);
      assert.ok(tokens.body.result.every((r: object) => !("token_hash" in r)));
      assert.ok(!tokens.text.includes(tokenLookupKey(admin.token)));
      const id = tokens.body.result[0].sys_id;
      await refused("DELETE", `/api/now/table/oauth_credential/${id}`, admin.token);
      await refused("PATCH", `/api/now/table/oauth_credential/${id}`, admin.token, { scope: "x" });
      await refused("POST", "/api/now/table/sys_audit", admin.token, { tablename: "x" });
    });

    test("a secret field cannot be written, even by admin", async () => {
      const counts = await tableCounts(server.instance.store);
      const res = await api(server, "PATCH", `/api/now/table/sys_user/${user.sysId}`, { token: admin.token, body: { password_hash: "$argon2id$forged" } });
      assert.equal(res.status, 400);
      assert.deepEqual(await tableCounts(server.instance.store), counts);
    });

    test("a token with another scope than useraccount opens nothing", async () => {
      const db = server.instance.store.db;
      const client = (await createClient(db, parseClientCreate({ name: "Scoped", grant_types: ["password"] }), "test")).client;
      const issued = await issueTokens(db, { client: (await findClientBySysId(db, client.sysId))!, userSysId: admin.sysId, scope: "openid", grantType: "password", withRefreshToken: false }, "test");
      await refused("GET", "/api/now/table/incident", issued.accessToken);
    });

    test("a client_credentials token acting for no user is refused: records are written in a user's name", async () => {
      const db = server.instance.store.db;
      const client = (await createClient(db, parseClientCreate({ name: "Machine", grant_types: ["client_credentials"] }), "test")).client;
      const issued = await issueTokens(db, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test");
      await refused("GET", "/api/now/table/incident", issued.accessToken);
    });
  });
}
