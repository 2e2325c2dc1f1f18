import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findUserByName } from "../../src/store/user-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";
import { awayFromMinuteEdge } from "../support/rate-window.ts";

const basicUser = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString("base64")}`;

for (const dialect of dialectsUnderTest()) {
  describe(`HTTP Basic for users on the Table API on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      user = await apiUser(server, "carol");
    });
    after(() => server.close());

    test("a user's name and password open the API with the user's rights", async () => {
      const created = await api(server, "POST", "/api/now/table/incident", { authorization: basicUser("carol", user.password), body: { short_description: "via basic" } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.result.sys_created_by, "carol");
      assert.equal((await api(server, "GET", "/api/now/table/oauth_entity", { authorization: basicUser("carol", user.password) })).status, 403);
      assert.equal((await api(server, "GET", "/api/now/table/oauth_entity", { authorization: basicUser("admin", adminPassword) })).status, 200);
    });

    test("a wrong password is 401 with a JSON body and counts towards the lockout", async () => {
      for (let i = 0; i < 5; i++) {
        const res = await api(server, "GET", "/api/now/table/incident", { authorization: basicUser("carol", "wrong") });
        assert.equal(res.status, 401);
        assert.equal(res.body.status, "failure");
        assert.equal(res.headers.get("www-authenticate"), 'Basic realm="portcullis"', "the challenge names the scheme that was tried");
        assert.equal(res.body.error.detail, "the user name or password is wrong", "no bearer-token error code for a password");
      }
      const locked = await api(server, "GET", "/api/now/table/incident", { authorization: basicUser("carol", user.password) });
      assert.equal(locked.status, 401, "the right password no longer opens a locked account");
      assert.match(locked.body.error.detail, /locked/);
      const row = await findUserByName(server.instance.store.db, "carol");
      assert.ok(row!.lockedUntil! > Date.now());
    });

    test("client credentials are not a user", async () => {
      const client = await registerClient(server.instance);
      assert.equal((await api(server, "GET", "/api/now/table/incident", { authorization: basicUser(client.clientId, client.secret) })).status, 401);
      assert.equal((await api(server, "GET", "/api/now/table/incident", { authorization: "Basic !!!" })).status, 401);
    });
  });

  describe(`failed HTTP Basic attempts count against the login rate limit on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect, { rateLimitLoginPerIp: 3 });
    });
    after(() => server.close());

    test("successes do not count; after the limit of failures even a right password waits with 429", async () => {
      await awayFromMinuteEdge();
      // The limit counts per fixed minute; start well inside one so the window cannot roll over mid-test.
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
      for (let i = 0; i < 5; i++) assert.equal((await api(server, "GET", "/api/now/table/incident", { authorization: basicUser("admin", adminPassword) })).status, 200);
      for (const name of ["x1", "x2", "x3"]) assert.equal((await api(server, "GET", "/api/now/table/incident", { authorization: basicUser(name, "wrong") })).status, 401);
      const limited = await api(server, "GET", "/api/now/table/incident", { authorization: basicUser("admin", adminPassword) });
      assert.equal(limited.status, 429);
      assert.ok(limited.headers.get("retry-after"));
    });
  });

  describe(`HTTP Basic switched off on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect, { apiBasicAuth: false });
    });
    after(() => server.close());

    test("a right password is refused; bearer tokens still work", async () => {
      const res = await api(server, "GET", "/api/now/table/incident", { authorization: basicUser("admin", adminPassword) });
      assert.equal(res.status, 401);
      assert.match(res.body.error.detail, /switched off/);
      const admin = await apiUser(server, "admin");
      assert.equal((await api(server, "GET", "/api/now/table/incident", { token: admin.token })).status, 200);
    });
  });
}
