import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { createUser, findUserByName } from "../../src/store/user-store.ts";
import { signIn } from "../support/admin.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * User names are case-insensitive at login on the platform ("Admin" signs in as admin). Every
 * password sign-in (the password grant, /oauth_auth.do's form, the admin sign-in, HTTP Basic)
 * finds the user_name as typed first, else the one user it names but for case.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`password sign-in without regard to the user name's case on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    const grant = (username: string, password: string) => postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username, password }, { authorization: basic(client.clientId, client.secret) });
    const whoami = async (accessToken: string) => (await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${accessToken}` } })).body.result.user_name;
    const failures = async (userName: string) => (await findUserByName(server.instance.store.db, userName))!.failedAttempts;

    before(async () => {
      // Many sign-ins from one address: the per-address limit has its own test.
      server = await startTestInstance(dialect, { rateLimitLoginPerIp: 0 });
      client = await registerClient(server.instance, { grant_types: ["password", "authorization_code"], redirect_url: "https://client.example/oauth_redirect.do" });
      const db = server.instance.store.db;
      await createUser(db, { userName: "carol", passwordHash: await hashPassword("carol password") }, "test");
      // Two users differing only by case, as a Table API write can make them.
      await createUser(db, { userName: "Ada", passwordHash: await hashPassword("upper ada password") }, "test");
      await createUser(db, { userName: "ada", passwordHash: await hashPassword("lower ada password") }, "test");
    });
    after(() => server.close());

    test("the password grant: \"ADMIN\" signs in as admin, and the token acts as admin", async () => {
      const res = await grant("ADMIN", adminPassword);
      assert.equal(res.status, 200, res.text);
      assert.equal(await whoami(res.body.access_token), "admin");
    });

    test("a user_name as typed comes first: of Ada and ada, each spelling signs in as its own user", async () => {
      const upper = await grant("Ada", "upper ada password");
      assert.equal(upper.status, 200, upper.text);
      assert.equal(await whoami(upper.body.access_token), "Ada");
      const lower = await grant("ada", "lower ada password");
      assert.equal(lower.status, 200, lower.text);
      assert.equal(await whoami(lower.body.access_token), "ada");
      assert.equal((await grant("Ada", "lower ada password")).body.error, "invalid_grant", "Ada's name with ada's password is not ada");
      await server.instance.store.db.updateTable("sys_user").set({ failed_attempts: 0 }).execute();
    });

    test("a third spelling of two users differing only by case names neither: the answers of an unknown name, and neither's count moves", async () => {
      const answersFor = async (username: string, password: string) => {
        const answers: string[] = [];
        for (let i = 0; i < 6; i++) {
          const { body } = await grant(username, password);
          answers.push(`${body.error}: ${body.error_description}`);
        }
        return answers;
      };
      const [ghost, ambiguous] = [await answersFor("GHOST", "wrong"), await answersFor("ADA", "lower ada password")];
      assert.match(ghost[0]!, /^invalid_grant: the user name or password is wrong$/);
      assert.match(ghost[5]!, /locked/);
      assert.deepEqual(ambiguous, ghost, "the same words, lockout included, as for a name no user has");
      assert.deepEqual([await failures("Ada"), await failures("ada")], [0, 0]);
      assert.equal((await grant("ada", "lower ada password")).status, 200, "the lock was on the spelling, not on ada");
    });

    test("a wrong password under another case counts towards the lockout of the user found", async () => {
      for (let i = 0; i < 5; i++) assert.equal((await grant("CaRoL", "wrong")).body.error, "invalid_grant");
      const carol = (await findUserByName(server.instance.store.db, "carol"))!;
      assert.ok((carol.lockedUntil ?? 0) > Date.now(), "carol is locked");
      const locked = await grant("carol", "carol password");
      assert.match(locked.body.error_description, /locked/, "the spelling typed does not matter: the account is locked");
      await server.instance.store.db.updateTable("sys_user").set({ failed_attempts: 0, locked_until: null }).where("user_name", "=", "carol").execute();
    });

    test("HTTP Basic on the Table API: CAROL's password opens the API as carol", async () => {
      const created = await http(`${server.base}/api/now/table/incident`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from("CAROL:carol password").toString("base64")}`, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ short_description: "signed in as CAROL" }),
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.result.sys_created_by, "carol");
    });

    test("the admin sign-in: \"Admin\" starts admin's session", async () => {
      const sessionsOfAdmin = async () => (await server.instance.store.db.selectFrom("login_session").innerJoin("sys_user", "sys_user.sys_id", "login_session.user").select("login_session.sys_id").where("sys_user.user_name", "=", "admin").execute()).length;
      const before = await sessionsOfAdmin();
      const browser = await signIn(server.base, "Admin", adminPassword);
      assert.equal((await browser.get("/admin")).status, 200);
      assert.equal(await sessionsOfAdmin(), before + 1);
    });

    test("/oauth_auth.do's login form: \"Carol\" signs in and the code is carol's", async () => {
      const browser = new FormBrowser(server.base);
      const { verifier, challenge } = pkcePair();
      const query = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://client.example/oauth_redirect.do", code_challenge: challenge, code_challenge_method: "S256" });
      const login = await browser.get(`/oauth_auth.do?${query}`);
      assert.equal(login.status, 200, login.html);
      const afterLogin = await browser.submit(login, { user_name: "Carol", user_password: "carol password" });
      assert.equal(afterLogin.status, 303, afterLogin.html);
      const consent = await browser.get(afterLogin.location!);
      const back = new URL((await browser.submit(consent, { action: "allow" })).location!);
      const code = back.searchParams.get("code")!;
      const exchanged = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: "https://client.example/oauth_redirect.do" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(exchanged.status, 200, exchanged.text);
      assert.equal(await whoami(exchanged.body.access_token), "carol");
    });
  });
}
