import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createUser, grantRole } from "../../src/store/user-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`concurrent client_credentials issues and the one-query bearer check on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
    });
    after(() => server.close());

    test("issues arriving together share commits, yet each gets its own stored, audited, working token", async () => {
      const before = await tableCounts(server.instance.store);
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) })),
      );
      assert.ok(answers.every((a) => a.status === 200));
      const tokens = new Set(answers.map((a) => a.body.access_token as string));
      assert.equal(tokens.size, 40);
      const afterCounts = await tableCounts(server.instance.store);
      assert.equal(afterCounts.oauth_credential! - before.oauth_credential!, 40);
      assert.equal(afterCounts.sys_audit! - before.sys_audit!, 40);
      for (const t of [...tokens].slice(0, 5)) {
        const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${t}` } });
        assert.equal(who.status, 200);
        assert.equal(who.body.result.client_id, client.clientId);
      }
    });

    test("the bearer check sees every role of the user, sorted, and a user with none", async () => {
      const db = server.instance.store.db;
      const user = await createUser(db, { userName: `svc-${Math.random().toString(36).slice(2)}`, passwordHash: null, roles: ["rest_service", "itil"] }, "test");
      const named = await registerClient(server.instance, { grant_types: ["client_credentials"], client_credentials_user: user.userName });
      const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(named.clientId, named.secret) });
      const whoami = () => http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal((await whoami()).body.result.roles, "itil,rest_service");
      // A role granted after the token was issued applies at once.
      await grantRole(db, user.sysId, "admin", "test");
      assert.equal((await whoami()).body.result.roles, "admin,itil,rest_service");

      const bare = await createUser(db, { userName: `bare-${Math.random().toString(36).slice(2)}`, passwordHash: null }, "test");
      const bareClient = await registerClient(server.instance, { grant_types: ["client_credentials"], client_credentials_user: bare.userName });
      const bareToken = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(bareClient.clientId, bareClient.secret) });
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${bareToken.body.access_token}` } });
      assert.equal(who.status, 200);
      assert.equal(who.body.result.user_name, bare.userName);
      assert.equal(who.body.result.roles, "");
    });

    test("a malformed bearer request is 400 invalid_request with a Bearer challenge naming the error (RFC 6750 §3, §3.1)", async () => {
      const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      const token = issued.body.access_token as string;
      const refusals = [
        await http(`${server.base}/api/now/v1/whoami?access_token=${token}`),
        await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${token} extra` } }),
        await http(`${server.base}/api/now/table/incident`, { headers: { authorization: "Bearer", accept: "application/json" } }),
      ];
      for (const res of refusals) {
        assert.equal(res.status, 400, res.text);
        assert.match(res.body.error.detail, /^invalid_request: /);
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="portcullis", error="invalid_request", error_description="[^"]+"$/);
      }
    });

    test("another scheme than Bearer or Basic is no credentials: 401 with a bare Bearer challenge, as without the header (RFC 6750 §3.1)", async () => {
      for (const path of ["/api/now/table/incident", "/api/now/v1/whoami"]) {
        const none = await http(`${server.base}${path}`, { headers: { accept: "application/json" } });
        for (const authorization of ["Digest x", 'Digest username="admin", realm="portcullis", response="0"', "Negotiate YII=", "Bearerx abc"]) {
          const res = await http(`${server.base}${path}`, { headers: { authorization, accept: "application/json" } });
          assert.equal(res.status, 401, `${path} ${authorization}`);
          assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="portcullis"', `${path} ${authorization}: no error code`);
          assert.deepEqual(res.body, none.body, `${path} ${authorization}: answered as no Authorization header`);
        }
      }
    });

    test("a token of a deactivated user stops working at once", async () => {
      const db = server.instance.store.db;
      const user = await createUser(db, { userName: `gone-${Math.random().toString(36).slice(2)}`, passwordHash: null }, "test");
      const named = await registerClient(server.instance, { grant_types: ["client_credentials"], client_credentials_user: user.userName });
      const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(named.clientId, named.secret) });
      await db.updateTable("sys_user").set({ active: 0 }).where("sys_id", "=", user.sysId).execute();
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal(who.status, 401);
      const again = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(named.clientId, named.secret) });
      assert.equal(again.body.error, "invalid_grant");
    });
  });
}
