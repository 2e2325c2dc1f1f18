import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { tokenLookupKey } from "../../src/domain/token-value.ts";
import { findTokenByValue } from "../../src/store/token-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`password grant (RFC 6749 §4.3) and refresh rotation (RFC 9700 §4.14) on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    let token: string;
    const auth = () => ({ authorization: basic(client.clientId, client.secret) });
    const login = (extra: Record<string, string> = {}) => postForm(token, { grant_type: "password", username: "admin", password: adminPassword, ...extra }, auth());
    const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
      postForm(token, { grant_type: "refresh_token", refresh_token: refreshToken, client_id: client.clientId, client_secret: client.secret, ...extra });
    const storedExpiry = async (value: string) => (await findTokenByValue(server.instance.store.db, value))!.expires_at;
    const sleepUntil = (epochMs: number) => sleep(Math.max(0, epochMs - Date.now()));

    before(async () => {
      // Many logins from one address: the per-address login limit has its own test.
      server = await startTestInstance(dialect, { rateLimitLoginPerIp: 0 });
      client = await registerClient(server.instance, { grant_types: ["password", "refresh_token"] });
      token = `${server.base}/oauth_token.do`;
    });
    after(() => server.close());

    test("the password grant returns access_token, refresh_token, scope and expires_in as PySNC and pysnow read them", async () => {
      const res = await login();
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
      assert.equal(res.body.expires_in, 1799);
    });

    test("a wrong password is invalid_grant and issues nothing", async () => {
      const before = await tableCounts(server.instance.store);
      const res = await login({ password: "not the password" });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "invalid_grant");
      const afterCounts = await tableCounts(server.instance.store);
      assert.equal(afterCounts.oauth_credential, before.oauth_credential);
      await server.instance.store.db.updateTable("sys_user").set({ failed_attempts: 0 }).execute();
    });

    test("an unknown user is invalid_grant with the same message", async () => {
      const res = await login({ username: "nobody" });
      assert.equal(res.body.error, "invalid_grant");
      assert.match(res.body.error_description, /user name or password is wrong/);
    });

    test("missing username is invalid_request", async () => {
      const res = await postForm(token, { grant_type: "password", password: "x" }, auth());
      assert.equal(res.body.error, "invalid_request");
    });

    test("the password grant is refused for a client that did not opt in", async () => {
      const plain = await registerClient(server.instance, {});
      const res = await postForm(token, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(plain.clientId, plain.secret) });
      assert.equal(res.body.error, "unauthorized_client");
    });

    test("a public client cannot be given the password grant (RFC 9700 §2.4), and one given it before is refused it and issues nothing", async () => {
      const { ValidationError } = await import("../../src/domain/validation.ts");
      await assert.rejects(registerClient(server.instance, { public_client: true, grant_types: ["password", "refresh_token"] }), (error: unknown) => error instanceof ValidationError && error.issues.some((i) => i.field === "grant_types" && i.key === "validation.publicNoPassword"));
      const older = await registerClient(server.instance, { public_client: true, grant_types: ["authorization_code"] });
      // As a record saved before the rule held it.
      await server.instance.store.db.updateTable("oauth_entity").set({ grant_types: "password,refresh_token" }).where("sys_id", "=", older.sysId).execute();
      const before = await tableCounts(server.instance.store);
      const res = await postForm(token, { grant_type: "password", username: "admin", password: adminPassword, client_id: older.clientId });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, "unauthorized_client");
      assert.match(res.body.error_description, /public client cannot use the password grant/);
      assert.equal((await tableCounts(server.instance.store)).oauth_credential, before.oauth_credential);
    });

    test("repeated failures lock the account with a clear message", async () => {
      const { createUser } = await import("../../src/store/user-store.ts");
      const { hashPassword } = await import("../../src/domain/passwords.ts");
      await createUser(server.instance.store.db, { userName: "lockme", passwordHash: await hashPassword("right password") }, "test");
      for (let i = 0; i < 5; i++) await login({ username: "lockme", password: "wrong" });
      const res = await login({ username: "lockme", password: "right password" });
      assert.equal(res.body.error, "invalid_grant");
      assert.match(res.body.error_description, /locked/);
    });

    test("an expired lock starts the count afresh: one late wrong password does not lock again", async () => {
      const { createUser } = await import("../../src/store/user-store.ts");
      const { hashPassword } = await import("../../src/domain/passwords.ts");
      await createUser(server.instance.store.db, { userName: "relock", passwordHash: await hashPassword("right password") }, "test");
      for (let i = 0; i < 5; i++) await login({ username: "relock", password: "wrong" });
      await server.instance.store.db.updateTable("sys_user").set({ locked_until: Date.now() - 1 }).where("user_name", "=", "relock").execute();
      await login({ username: "relock", password: "wrong" });
      const res = await login({ username: "relock", password: "right password" });
      assert.equal(res.status, 200, res.text);
    });

    test("unknown names lock like real ones, so the lockout does not reveal which names exist", async () => {
      const { createUser } = await import("../../src/store/user-store.ts");
      const { hashPassword } = await import("../../src/domain/passwords.ts");
      await createUser(server.instance.store.db, { userName: "real.user", passwordHash: await hashPassword("right password") }, "test");
      const answersFor = async (username: string) => {
        const answers: string[] = [];
        for (let i = 0; i < 6; i++) answers.push((await login({ username, password: "wrong" })).body.error_description);
        return answers;
      };
      const [ghost, real] = [await answersFor("ghost.user"), await answersFor("real.user")];
      assert.match(ghost[4]!, /user name or password is wrong/);
      assert.match(ghost[5]!, /locked.*try again in 15 minutes/);
      assert.deepEqual(ghost, real, "the same words, minutes included, for a name that exists and one that does not");
    });

    test("every refresh returns a new refresh token, and the new pair works", async () => {
      const first = await login();
      const second = await refresh(first.body.refresh_token);
      assert.equal(second.status, 200, second.text);
      assert.notEqual(second.body.refresh_token, first.body.refresh_token);
      assert.notEqual(second.body.access_token, first.body.access_token);
      const third = await refresh(second.body.refresh_token);
      assert.equal(third.status, 200);
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${third.body.access_token}` } });
      assert.equal(who.body.result.user_name, "admin");
    });

    test("reusing a rotated refresh token fails and revokes the whole family", async () => {
      const first = await login();
      const second = await refresh(first.body.refresh_token);
      const reuse = await refresh(first.body.refresh_token);
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body.error, "invalid_grant");
      assert.equal((await refresh(second.body.refresh_token)).body.error, "invalid_grant", "the newer refresh token is revoked too");
      for (const access of [first.body.access_token, second.body.access_token]) {
        const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${access}` } });
        assert.equal(who.status, 401);
      }
    });

    test("one refresh token used 50 times concurrently: exactly one new pair, and the family is revoked", async () => {
      const first = await login();
      const results = await Promise.all(Array.from({ length: 50 }, () => refresh(first.body.refresh_token)));
      const winners = results.filter((r) => r.status === 200);
      assert.equal(winners.length, 1);
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${winners[0]!.body.access_token}` } });
      assert.equal(who.status, 401, "reuse revoked the winner's tokens too");
    });

    test("a refresh token of another client is invalid_grant", async () => {
      const first = await login();
      const other = await registerClient(server.instance, { grant_types: ["password", "refresh_token"] });
      const res = await postForm(token, { grant_type: "refresh_token", refresh_token: first.body.refresh_token }, { authorization: basic(other.clientId, other.secret) });
      assert.equal(res.body.error, "invalid_grant");
      assert.equal((await refresh(first.body.refresh_token)).status, 200, "the failed attempt did not burn the token");
    });

    test("an expired refresh token is invalid_grant", async () => {
      const first = await login();
      await server.instance.store.db.updateTable("oauth_credential").set({ expires_at: Date.now() - 1 }).where("type", "=", "refresh_token").execute();
      assert.equal((await refresh(first.body.refresh_token)).body.error, "invalid_grant");
    });

    test("a rotated refresh token inherits the expiry of the one it replaces, through every rotation", async () => {
      const first = await login();
      // An expiry no fresh lifespan would give, so only an inherited one matches.
      const expiresAt = Date.now() + 3_600_123;
      await server.instance.store.db.updateTable("oauth_credential").set({ expires_at: expiresAt }).where("token_hash", "=", tokenLookupKey(first.body.refresh_token)).execute();
      let current = first.body.refresh_token as string;
      for (let rotation = 0; rotation < 2; rotation++) {
        const rotated = await refresh(current);
        assert.equal(rotated.status, 200, rotated.text);
        current = rotated.body.refresh_token;
        assert.equal(await storedExpiry(current), expiresAt);
        const introspected = await postForm(`${server.base}/oauth_introspect`, { token: current }, auth());
        assert.equal(introspected.body.exp, Math.floor(expiresAt / 1000), introspected.text);
        assert.equal(rotated.body.expires_in, 1799, "the access token keeps its own lifespan");
        assert.deepEqual(Object.keys(rotated.body).sort(), ["access_token", "expires_in", "refresh_token", "scope", "token_type"], "no refresh lifetime field, as the platform answers");
      }
    });

    test("a rotated refresh token is invalid_grant once refresh_token_lifespan has passed since the login", async () => {
      const short = await registerClient(server.instance, { grant_types: ["password", "refresh_token"], refresh_token_lifespan: 2 });
      const shortAuth = { authorization: basic(short.clientId, short.secret) };
      const first = await postForm(token, { grant_type: "password", username: "admin", password: adminPassword }, shortAuth);
      const loginExpiry = await storedExpiry(first.body.refresh_token);
      // Rotated half-way, a token given a fresh 2 s would outlive the login's by a second.
      await sleepUntil(loginExpiry - 1000);
      const second = await postForm(token, { grant_type: "refresh_token", refresh_token: first.body.refresh_token }, shortAuth);
      assert.equal(second.status, 200, second.text);
      await sleepUntil(loginExpiry + 50);
      const counts = await tableCounts(server.instance.store);
      const late = await postForm(token, { grant_type: "refresh_token", refresh_token: second.body.refresh_token }, shortAuth);
      assert.equal(late.status, 400, late.text);
      assert.equal(late.body.error, "invalid_grant");
      assert.deepEqual(await tableCounts(server.instance.store), counts, "nothing issued, nothing revoked");
      const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${second.body.access_token}` } });
      assert.equal(who.status, 200, "the access token of the rotation keeps its own lifespan");
    });

    test("a lifespan shortened since the login ends the rotated refresh token that much from now, not at the family's later end", async () => {
      const client = await registerClient(server.instance, { grant_types: ["password", "refresh_token"], refresh_token_lifespan: 86_400 });
      const clientAuth = { authorization: basic(client.clientId, client.secret) };
      const first = await postForm(token, { grant_type: "password", username: "admin", password: adminPassword }, clientAuth);
      await server.instance.store.db.updateTable("oauth_entity").set({ refresh_token_lifespan: 60 }).where("client_id", "=", client.clientId).execute();
      const before = Date.now();
      const rotated = await postForm(token, { grant_type: "refresh_token", refresh_token: first.body.refresh_token }, clientAuth);
      assert.equal(rotated.status, 200, rotated.text);
      const expiry = await storedExpiry(rotated.body.refresh_token);
      assert.ok(expiry >= before + 60_000 && expiry <= Date.now() + 60_000, `ends 60 s from the rotation, not a day after the login: ${expiry - before} ms`);
    });

    test("refresh may narrow the scope but not widen it", async () => {
      const first = await login();
      assert.equal((await refresh(first.body.refresh_token, { scope: "admin_everything" })).body.error, "invalid_scope");
    });

    test("a client with refresh_token_lifespan 0 gets no refresh token", async () => {
      const noRefresh = await registerClient(server.instance, { grant_types: ["password", "refresh_token"], refresh_token_lifespan: 0 });
      const res = await postForm(token, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(noRefresh.clientId, noRefresh.secret) });
      assert.equal(res.status, 200);
      assert.equal(res.body.refresh_token, undefined);
    });
  });
}
