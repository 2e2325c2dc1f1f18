import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import type { Kysely } from "kysely";
import { hashPassword } from "../../src/domain/passwords.ts";
import { admit } from "../../src/http/identity/admission.ts";
import { checkedPasswordHolds } from "../../src/store/checked-password.ts";
import type { Database } from "../../src/store/schema.ts";
import { setUserActive, setUserPassword } from "../../src/store/user-admin-store.ts";
import { createUser, findUserById } from "../../src/store/user-store.ts";
import { FormBrowser, type Page } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, type HttpResult, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";
import { liveTokenCount, sessionCount } from "../support/user-access.ts";

/**
 * Resolves once a password check of the user that is in flight has ended: the check has read
 * the user's hash and argon2 has verified the password against it. The probe asks the same
 * admission gate as the check (src/http/identity/admission.ts) for a slot, each turn of the
 * event loop: admitted at once, no check was in flight, and it tries again; made to wait, a
 * check was, and the gate lets the probe in when that check releases its slot, after the
 * verification and before the sign-in writes anything. Argon2 runs on the thread pool, so a
 * check spans turns of the event loop and a probe always finds it in flight.
 */
async function passwordCheckEnded(db: Kysely<Database>, userSysId: string, answered: () => boolean): Promise<void> {
  while (!answered()) {
    let reads = 0;
    const probe = await admit(db, `user:${userSysId}`, async () => {
      reads++;
      return { room: 1 };
    });
    probe.release?.();
    if (reads > 1) return;
    await nextTurn();
  }
  throw new Error("the sign-in was answered without a password check");
}

/**
 * Runs a sign-in while the test holds the store's one SQLite write connection: the sign-in's
 * reads go to the second, read-only connection (src/store/sqlite-reader.ts), so it checks the
 * password, and then waits for the connection to write. In between, `change` commits a real
 * password change or deactivation on the held connection. Deterministic: the change comes after
 * the check has verified the old password and before the sign-in's write, every time.
 */
async function signInAcrossChange<T>(db: Kysely<Database>, userSysId: string, signIn: () => Promise<T>, change: (held: Kysely<Database>) => Promise<void>): Promise<T> {
  let answer!: Promise<T>;
  let answered = false;
  await db.connection().execute(async (held) => {
    answer = signIn().finally(() => (answered = true));
    await passwordCheckEnded(db, userSysId, () => answered);
    await change(held);
  });
  return answer;
}

describe("a sign-in whose password changes while it is checked opens nothing, on sqlite", () => {
  let server: TestInstance;
  let client: RegisteredClient;
  const db = () => server.instance.store.db;
  const newPassword = (held: Kysely<Database>, userSysId: string, hash: string) => setUserPassword(held, userSysId, hash, { actor: "admin" });

  before(async () => {
    // No rate limits: their counts are written before the check, through the connection the test holds.
    server = await startTestInstance(dialectsUnderTest()[0]!, { rateLimitLoginPerIp: 0, rateLimitTokenPerIp: 0, rateLimitTokenPerClient: 0 });
    client = await registerClient(server.instance, { name: "Password client", grant_types: "password,refresh_token,authorization_code", redirect_url: "https://client.example/cb" });
  });
  after(() => server.close());

  const passwordGrant = (userName: string, password: string): Promise<HttpResult> =>
    postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: userName, password }, { authorization: basic(client.clientId, client.secret) });

  test("the password grant: invalid_grant, and no token, when the password is set between the check and the issue", async () => {
    const fay = await apiUser(server, "fay");
    const hash = await hashPassword("fay's new password");
    const res = await signInAcrossChange(db(), fay.sysId, () => passwordGrant("fay", fay.password), (held) => newPassword(held, fay.sysId, hash));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, "invalid_grant");
    assert.equal(res.body.error_description, "the user name or password is wrong");
    assert.equal(await liveTokenCount(db(), fay.sysId), 0);
    assert.equal((await findUserById(db(), fay.sysId))!.failedAttempts, 0, "not counted as a wrong password");
    assert.equal((await passwordGrant("fay", "fay's new password")).status, 200);
  });

  test("the password grant: invalid_grant when the user is deactivated between the check and the issue", async () => {
    const gus = await apiUser(server, "gus");
    const res = await signInAcrossChange(db(), gus.sysId, () => passwordGrant("gus", gus.password), (held) => setUserActive(held, gus.sysId, false, "admin"));
    assert.equal(res.body.error, "invalid_grant", res.text);
    assert.equal(await liveTokenCount(db(), gus.sysId), 0);
  });

  test("the admin sign-in form: the sign-in failure, and no session, when the password is set meanwhile", async () => {
    const hal = await apiUser(server, "hal");
    const hash = await hashPassword("hal's new password");
    const browser = new FormBrowser(server.base);
    const form = await browser.get("/");
    const page = await signInAcrossChange(db(), hal.sysId, () => browser.submitForm(form, "/login.do", { user_name: "hal", user_password: hal.password }), (held) => newPassword(held, hal.sysId, hash));
    assert.equal(page.status, 401, page.html);
    assert.match(page.html, /user name or password is wrong/);
    assert.equal(await sessionCount(db(), hal.sysId), 0);
  });

  test("the login form of /oauth_auth.do: the sign-in failure, and no session, when the password is set meanwhile", async () => {
    const ida = await apiUser(server, "ida");
    const hash = await hashPassword("ida's new password");
    const browser = new FormBrowser(server.base);
    const query = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://client.example/cb", code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
    const login = await browser.get(`/oauth_auth.do?${query}`);
    assert.equal(login.status, 200, login.html);
    const page: Page = await signInAcrossChange(db(), ida.sysId, () => browser.submit(login, { user_name: "ida", user_password: ida.password }), (held) => newPassword(held, ida.sysId, hash));
    assert.equal(page.status, 401, page.html);
    assert.match(page.html, /user name or password is wrong/);
    assert.equal(await sessionCount(db(), ida.sysId), 0);
    const again = await browser.submit(await browser.get(`/oauth_auth.do?${query}`), { user_name: "ida", user_password: "ida's new password" });
    assert.equal(again.status, 303, "the new password signs in");
  });
});

/** The check itself on every backend, PostgreSQL's FOR SHARE read included. */
for (const dialect of dialectsUnderTest()) {
  describe(`a checked password holds until the user's password or state changes, on ${dialect.name}`, () => {
    const opened = migratedStore(dialect);

    test("holds for the hash checked; not after a new password, nor after a deactivation", async () => {
      const db = opened.store.db;
      const user = await createUser(db, { userName: "jo", passwordHash: await hashPassword("jo's password"), roles: [] }, "test");
      const checked = (await findUserById(db, user.sysId))!;
      assert.equal(await db.transaction().execute((trx) => checkedPasswordHolds(trx, checked)), true);
      await setUserPassword(db, user.sysId, await hashPassword("jo's new password"), { actor: "admin" });
      assert.equal(await db.transaction().execute((trx) => checkedPasswordHolds(trx, checked)), false, "the hash checked is no longer the user's");
      const rechecked = (await findUserById(db, user.sysId))!;
      await setUserActive(db, user.sysId, false, "admin");
      assert.equal(await db.transaction().execute((trx) => checkedPasswordHolds(trx, rechecked)), false, "the user is inactive");
    });
  });
}
