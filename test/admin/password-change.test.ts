import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { followRedirect, signIn } from "../support/admin.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";
import { liveTokenCount, passwordGrant, refreshError, revocationReasons, sessionCount, whoamiStatus } from "../support/user-access.ts";

/**
 * A password set on the user page ends what the old one opened: the user's tokens and sessions,
 * in the same transaction, audited as a revocation. An admin setting their own password keeps
 * the session they set it in, and no other.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`Set password on the user page ends the user's tokens and sessions, on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;

    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { name: "Password client", grant_types: "password,refresh_token" });
    });
    after(() => server.close());

    const db = () => server.instance.store.db;

    test("another user's new password revokes their access and refresh tokens and signs them out; the new password works", async () => {
      const carol = await apiUser(server, "carol");
      const tokens = await passwordGrant(server.base, client, "carol", carol.password);
      const carolBrowser = await signIn(server.base, "carol", carol.password);
      assert.equal((await carolBrowser.get("/admin")).status, 403, "signed in, without admin");

      const browser = await signIn(server.base);
      const path = `/admin/users/${carol.sysId}`;
      const done = await followRedirect(browser, await browser.submitForm(await browser.get(path), `${path}/password`, { password: "carol's new password" }));
      assert.match(done.html, /password of “carol” was changed/);

      assert.equal(await whoamiStatus(server.base, tokens.access_token), 401, "the old access token is refused");
      assert.equal(await whoamiStatus(server.base, carol.token), 401);
      assert.equal(await refreshError(server.base, client, tokens.refresh_token), "invalid_grant", "the old refresh token refreshes nothing");
      assert.equal(await liveTokenCount(db(), carol.sysId), 0);
      assert.equal(await sessionCount(db(), carol.sysId), 0);
      assert.equal((await carolBrowser.get("/admin")).status, 303, "carol's browser is signed out");
      assert.deepEqual(await revocationReasons(db(), carol.sysId), ["password changed"]);
      assert.equal(await whoamiStatus(server.base, (await passwordGrant(server.base, client, "carol", "carol's new password")).access_token), 200);
      assert.equal((await browser.get("/admin")).status, 200, "the admin who set it stays signed in");

      const audit = await browser.get(`/admin/audit?table=oauth_credential`);
      assert.match(audit.html, /<td>password changed<\/td>/);
      browser.setCookie(languageCookie, "ko");
      assert.match((await browser.get(`/admin/audit?table=oauth_credential`)).html, /<td>비밀번호 변경<\/td>/);
      browser.setCookie(languageCookie, "en");
    });

    test("an admin setting their own password keeps the session they set it in; their other sessions and their tokens end", async () => {
      const admin = (await findUserByName(db(), "admin"))!;
      const tokens = await passwordGrant(server.base, client, "admin", adminPassword);
      const here = await signIn(server.base);
      const elsewhere = await signIn(server.base);
      assert.equal((await elsewhere.get("/admin")).status, 200);
      const path = `/admin/users/${admin.sysId}`;
      const done = await followRedirect(here, await here.submitForm(await here.get(path), `${path}/password`, { password: "the admin's new password" }));
      assert.match(done.html, /password of “admin” was changed/);

      assert.equal((await here.get("/admin")).status, 200, "the session that made the change stays");
      assert.equal((await elsewhere.get("/admin")).status, 303, "the other session is ended");
      assert.equal(await sessionCount(db(), admin.sysId), 1);
      assert.equal(await whoamiStatus(server.base, tokens.access_token), 401);
      assert.equal(await refreshError(server.base, client, tokens.refresh_token), "invalid_grant");
      await signIn(server.base, "admin", "the admin's new password");
    });
  });
}
