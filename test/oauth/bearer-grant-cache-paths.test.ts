import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { findBearerGrant } from "../../src/store/bearer-store.ts";
import { tokenLookupKey } from "../../src/domain/token-value.ts";
import { createUser } from "../../src/store/user-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

// The bearer check on SQLite answers a token presented again from the grant it kept, while
// PRAGMA data_version stands still. Each test here has the grant kept first (asserted), then
// changes what it was read from through the server's own endpoints, as an operator or a client
// would, and asks with the token at once: the change must apply to that very call.
describe("a kept bearer grant never outlives a change made through the server", () => {
  let server: TestInstance;
  let admin: ApiUser;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    admin = await apiUser(server, "cache.admin", ["admin"]);
  });
  after(() => server.close());

  const whoami = (token: string) => http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });

  /** Presents `token` twice and checks the second was answered from the kept grant. */
  async function keep(token: string): Promise<void> {
    assert.equal((await whoami(token)).status, 200);
    assert.equal((await whoami(token)).status, 200);
    const db = server.instance.store.db;
    assert.equal(await findBearerGrant(db, token), await findBearerGrant(db, token), "the grant is kept");
  }

  async function machineClient(userName: string, roles: string[] = []): Promise<{ client: RegisteredClient; issue: () => Promise<string> }> {
    await createUser(server.instance.store.db, { userName, passwordHash: null, roles }, "test");
    const client = await registerClient(server.instance, { grant_types: ["client_credentials"], client_credentials_user: userName });
    const issue = async () => {
      const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(issued.status, 200, issued.text);
      return issued.body.access_token as string;
    };
    return { client, issue };
  }

  test("a token revoked at /oauth_revoke_token.do is refused on the next call", async () => {
    const { client, issue } = await machineClient("revoked.user");
    const token = await issue();
    await keep(token);
    const revoked = await postForm(`${server.base}/oauth_revoke_token.do`, { token }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(revoked.status, 200);
    assert.equal((await whoami(token)).status, 401);
  });

  test("a refresh token used twice revokes the access tokens of its family, kept ones included", async () => {
    const password = "a long password for the cache test";
    await createUser(server.instance.store.db, { userName: "rotating.user", passwordHash: await hashPassword(password), roles: [] }, "test");
    const client = await registerClient(server.instance, { grant_types: ["password", "refresh_token"] });
    const token = (form: Record<string, string>) => postForm(`${server.base}/oauth_token.do`, form, { authorization: basic(client.clientId, client.secret) });
    const first = await token({ grant_type: "password", username: "rotating.user", password });
    assert.equal(first.status, 200, first.text);
    const second = await token({ grant_type: "refresh_token", refresh_token: first.body.refresh_token });
    assert.equal(second.status, 200, second.text);
    await keep(first.body.access_token);
    await keep(second.body.access_token);
    const reused = await token({ grant_type: "refresh_token", refresh_token: first.body.refresh_token });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, "invalid_grant");
    assert.equal((await whoami(first.body.access_token)).status, 401);
    assert.equal((await whoami(second.body.access_token)).status, 401);
  });

  test("a client deleted through the registry admin API takes its kept tokens with it", async () => {
    const { client, issue } = await machineClient("deleted.client.user");
    const token = await issue();
    await keep(token);
    const deleted = await api(server, "DELETE", `/api/portcullis/registry/endpoints/${client.sysId}`, { token: admin.token });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await whoami(token)).status, 401);
  });

  test("a client deactivated through the registry admin API is refused at once", async () => {
    const { client, issue } = await machineClient("inactive.client.user");
    const token = await issue();
    await keep(token);
    const patched = await api(server, "PATCH", `/api/portcullis/registry/endpoints/${client.sysId}`, { token: admin.token, body: { active: false } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await whoami(token)).status, 401);
  });

  test("a user deleted or deactivated through the Table API is refused at once", async () => {
    const gone = await apiUser(server, "deleted.user");
    await keep(gone.token);
    const deleted = await api(server, "DELETE", `/api/now/table/sys_user/${gone.sysId}`, { token: admin.token });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await whoami(gone.token)).status, 401);

    const idle = await apiUser(server, "deactivated.user");
    await keep(idle.token);
    const patched = await api(server, "PATCH", `/api/now/table/sys_user/${idle.sysId}`, { token: admin.token, body: { active: "false" } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await whoami(idle.token)).status, 401);
  });

  test("an admin role taken away through the Table API (DELETE sys_user_has_role) closes the admin API at once", async () => {
    const second = await apiUser(server, "second.admin", ["admin"]);
    const endpoints = () => api(server, "GET", "/api/portcullis/registry/endpoints", { token: second.token });
    assert.equal((await endpoints()).status, 200);
    await keep(second.token);
    const grants = await api(server, "GET", `/api/now/table/sys_user_has_role?sysparm_query=user=${second.sysId}`, { token: admin.token });
    assert.equal(grants.body.result.length, 1, grants.text);
    const removed = await api(server, "DELETE", `/api/now/table/sys_user_has_role/${grants.body.result[0].sys_id}`, { token: admin.token });
    assert.equal(removed.status, 204, removed.text);
    assert.equal((await endpoints()).status, 403);
    assert.equal((await whoami(second.token)).body.result.roles, "");
  });

  test("a kept token that expires is refused once its time has passed, with nothing committed meanwhile", async () => {
    const { issue } = await machineClient("expiring.user");
    const token = await issue();
    // The shortest lifetime a client may be given is a minute: the row is shortened instead, before the grant is kept.
    const expiresAt = Date.now() + 1500;
    await server.instance.store.db.updateTable("oauth_credential").set({ expires_at: expiresAt }).where("token_hash", "=", tokenLookupKey(token)).execute();
    await keep(token);
    const kept = await findBearerGrant(server.instance.store.db, token);
    await sleep(expiresAt - Date.now() + 100);
    assert.equal((await whoami(token)).status, 401);
    assert.equal(await findBearerGrant(server.instance.store.db, token), kept, "the refusal came from the kept grant, checked against the time now");
  });

  test("the background checkpointer leaves a kept grant kept, and a revocation that starts the WAL over is still seen", async () => {
    const { issue } = await machineClient("checkpointed.user");
    const token = await issue();
    await keep(token);
    const kept = await findBearerGrant(server.instance.store.db, token);
    // The checkpointer thread copies the WAL into the database file every 250 ms; once it has
    // copied all of it, the writer's next commit writes the WAL from its start again.
    await sleep(700);
    assert.equal(await findBearerGrant(server.instance.store.db, token), kept, "a checkpoint is no change");
    await server.instance.store.db.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("token_hash", "=", tokenLookupKey(token)).execute();
    assert.equal((await whoami(token)).status, 401);
  });

  test("a transaction rolled back changes nothing, and the grant still answers", async () => {
    const { issue } = await machineClient("rolled.back.user");
    const token = await issue();
    await keep(token);
    await assert.rejects(
      server.instance.store.db.transaction().execute(async (trx) => {
        await trx.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("token_hash", "=", tokenLookupKey(token)).execute();
        throw new Error("undone");
      }),
      /undone/,
    );
    assert.equal((await whoami(token)).status, 200);
  });
});
