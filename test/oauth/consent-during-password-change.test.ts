import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { Kysely, SqliteDialect } from "kysely";
import { hashPassword } from "../../src/domain/passwords.ts";
import type { Database } from "../../src/store/schema.ts";
import { createLoginSession, sessionStillOpen } from "../../src/store/session-store.ts";
import { setUserActive, setUserPassword } from "../../src/store/user-admin-store.ts";
import { createUser } from "../../src/store/user-store.ts";
import { FormBrowser, type Page } from "../support/browser.ts";
import { whileAnotherConnectionWrites } from "../support/held-write-lock.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";
import { sessionCount } from "../support/user-access.ts";

const redirectUri = "https://client.example/cb";

/**
 * Resolves once a transaction on `db` is waiting for the SQLite write lock. Every statement on
 * the store's connection is one synchronous call, so Kysely's one connection stays taken across
 * a turn of the event loop only while a transaction's BEGIN IMMEDIATE retries for the lock
 * (src/store/sqlite-write-lock.ts): a probe that asks for the connection and is not given it by
 * the next turn has found one waiting. Given it, nothing waited yet, and it asks again.
 */
async function transactionWaitingForLock(db: Kysely<Database>, answered: () => boolean): Promise<void> {
  while (!answered()) {
    let given = false;
    void db.connection().execute(async () => {
      given = true;
    });
    await nextTurn();
    if (!given) return;
  }
  throw new Error("the consent was answered without waiting to write");
}

/**
 * Sends the consent while another connection to the store's file holds the write lock: the
 * consent reads its session (committed, in WAL) and then waits to write its code. Once it waits,
 * the other connection lets the lock go and `change` commits a real password change or
 * deactivation on it, taking the lock in the same turn of the event loop, before the consent's
 * next try. Deterministic: the change comes after the consent read its session and before it
 * writes, every time.
 */
async function consentAcrossChange(server: TestInstance, consent: () => Promise<Page>, change: (other: Kysely<Database>) => Promise<void>): Promise<Page> {
  const { store } = server.instance;
  let answer!: Promise<Page>;
  let answered = false;
  await whileAnotherConnectionWrites(store, {}, async (other) => {
    answer = consent().finally(() => (answered = true));
    await transactionWaitingForLock(store.db, () => answered);
    other.exec("rollback");
    other.pragma("foreign_keys = ON");
    await change(new Kysely<Database>({ dialect: new SqliteDialect({ database: other }) }));
  });
  return answer;
}

describe("a consent whose session ends while it is given writes no code, on sqlite", () => {
  let server: TestInstance;
  let client: RegisteredClient;
  const db = () => server.instance.store.db;
  const query = () => new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, code_challenge: pkcePair().challenge, code_challenge_method: "S256", state: "s1" });
  const codeCount = async (userSysId: string) => (await db().selectFrom("oauth_auth_code").select("sys_id").where("user", "=", userSysId).execute()).length;

  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!, { rateLimitLoginPerIp: 0 });
    client = await registerClient(server.instance, { name: "Code client", grant_types: "authorization_code", redirect_url: redirectUri });
  });
  after(() => server.close());

  /** Signs in on /oauth_auth.do: the browser, now with a session, and the consent page it shows. */
  async function consentPageFor(userName: string, password: string): Promise<{ browser: FormBrowser; consent: Page }> {
    const browser = new FormBrowser(server.base);
    const login = await browser.get(`/oauth_auth.do?${query()}`);
    const signedIn = await browser.submit(login, { user_name: userName, user_password: password });
    assert.equal(signedIn.status, 303, signedIn.html);
    const consent = await browser.get(signedIn.location!);
    assert.match(consent.html, /name="action" value="allow"/, "the consent page");
    return { browser, consent };
  }

  function assertSignInFormWithoutCode(page: Page): void {
    assert.equal(page.status, 200, page.html);
    assert.equal(page.location, null, "no redirect, so no code");
    assert.match(page.html, /name="user_password"/, "the sign-in form again");
  }

  test("a new password set between the consent's session read and its code: the sign-in form, and no code", async () => {
    const kim = await apiUser(server, "kim");
    const hash = await hashPassword("kim's new password");
    const { browser, consent } = await consentPageFor("kim", kim.password);
    const page = await consentAcrossChange(server, () => browser.submit(consent, { action: "allow" }), (other) => setUserPassword(other, kim.sysId, hash, { actor: "admin" }));
    assertSignInFormWithoutCode(page);
    assert.equal(await codeCount(kim.sysId), 0);
    assert.equal(await sessionCount(db(), kim.sysId), 0);

    const again = await consentPageFor("kim", "kim's new password");
    const allowed = await again.browser.submit(again.consent, { action: "allow" });
    assert.equal(allowed.status, 303, "the new password's consent gives a code");
    assert.ok(new URL(allowed.location!).searchParams.get("code"));
  });

  test("a deactivation between the consent's session read and its code: the sign-in form, and no code", async () => {
    const lou = await apiUser(server, "lou");
    const { browser, consent } = await consentPageFor("lou", lou.password);
    const page = await consentAcrossChange(server, () => browser.submit(consent, { action: "allow" }), (other) => setUserActive(other, lou.sysId, false, "admin"));
    assertSignInFormWithoutCode(page);
    assert.equal(await codeCount(lou.sysId), 0);
  });

  test("the user's own new password, which keeps the session that set it, still gives the consent its code", async () => {
    const max = await apiUser(server, "max");
    const hash = await hashPassword("max's new password");
    const { browser, consent } = await consentPageFor("max", max.password);
    const kept = (await db().selectFrom("login_session").select("sys_id").where("user", "=", max.sysId).executeTakeFirstOrThrow()).sys_id;
    const page = await consentAcrossChange(server, () => browser.submit(consent, { action: "allow" }), (other) => setUserPassword(other, max.sysId, hash, { actor: "max", keepSession: kept }));
    assert.equal(page.status, 303, page.html);
    const location = new URL(page.location!);
    assert.ok(location.searchParams.get("code"));
    assert.equal(location.searchParams.get("state"), "s1");
    assert.equal(await codeCount(max.sysId), 1);
  });
});

/** The check itself on every backend, PostgreSQL's FOR SHARE read included. */
for (const dialect of dialectsUnderTest()) {
  describe(`a session is open until it expires or the user's password or state changes, on ${dialect.name}`, () => {
    const opened = migratedStore(dialect);
    const lifespans = { idleSeconds: 60, maxSeconds: 600 };
    const stillOpen = (sysId: string, now?: number) => opened.store.db.transaction().execute((trx) => sessionStillOpen(trx, sysId, now));

    test("open while its row lasts and is not expired; not after a new password, nor a deactivation", async () => {
      const db = opened.store.db;
      const user = await createUser(db, { userName: "ned", passwordHash: await hashPassword("ned's password"), roles: [] }, "test");
      const { session } = await createLoginSession(db, user.sysId, lifespans);
      assert.equal(await stillOpen(session.sysId), true);
      assert.equal(await stillOpen(session.sysId, session.expiresAt), false, "past its idle end");
      await setUserPassword(db, user.sysId, await hashPassword("ned's new password"), { actor: "admin" });
      assert.equal(await stillOpen(session.sysId), false, "a new password ended it");
      const { session: next } = await createLoginSession(db, user.sysId, lifespans);
      await setUserActive(db, user.sysId, false, "admin");
      assert.equal(await stillOpen(next.sysId), false, "a deactivation ended it");
    });
  });
}
