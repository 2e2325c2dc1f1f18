import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { createUser, findUserByName, rolesOf } from "../../src/store/user-store.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * A form that is only a button (a confirmation, Remove a role, Activate) pressed after its session
 * ended is not carried out, then or after signing in again: signing in comes back to the page it
 * was on, to be pressed again, instead of the overview. Only a page of the admin area is followed.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`button-only admin forms after the session ended, on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect);
      await createUser(server.instance.store.db, { userName: "button.user", passwordHash: await hashPassword("button password 1"), roles: ["itil"] }, "test");
    });
    after(() => server.close());

    /** Signing in again adds a login session; nothing else may change. */
    const counts = async () => ({ ...(await tableCounts(server.instance.store)), login_session: 0 });

    async function endSessionOf(page: Page, action: string): Promise<void> {
      const csrf = new Map(page.formAt(action)).get("csrf_token")!;
      await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).where("csrf_token", "=", csrf).execute();
    }

    /** Presses the button of `action` on `page` after its session ended, signs in again; returns where that led and the page shown there. */
    async function pressAfterSessionEnded(own: FormBrowser, page: Page, action: string, overrides: Record<string, string> = {}): Promise<{ location: string; shown: Page }> {
      await endSessionOf(page, action);
      const pressed = await own.submitForm(page, action, overrides);
      assert.equal(pressed.status, 303, pressed.html.slice(0, 300));
      const signInForm = await own.get(pressed.location!);
      assert.match(signInForm.html, /Your session has ended/);
      const signedIn = await own.submitForm(signInForm, "/login.do", { user_name: "admin", user_password: adminPassword });
      assert.equal(signedIn.status, 303);
      return { location: signedIn.location!, shown: await own.get(signedIn.location!) };
    }

    test("Revoke token on its confirmation: back to the confirmation, with its list's filter; the token stays live", async () => {
      const registered = await registerClient(server.instance, { name: "Button Client", grant_types: "client_credentials" });
      const client = (await findClientBySysId(server.instance.store.db, registered.sysId))!;
      await issueTokens(server.instance.store.db, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test");
      const own = await signIn(server.base);
      const list = await own.get(`/admin/tokens?client=${client.sysId}`);
      const confirmPath = /href="(\/admin\/tokens\/[0-9a-f]{32}\/revoke\?client=[0-9a-f]{32})"/.exec(list.html)![1]!;
      const tokenSysId = confirmPath.split("/")[3]!;
      const confirm = await own.get(confirmPath);
      const before = await counts();
      const { location, shown } = await pressAfterSessionEnded(own, confirm, `/admin/tokens/${tokenSysId}/revoke`);
      assert.equal(location, confirmPath);
      assert.match(shown.html, /<h1>Revoke this token\?<\/h1>/);
      assert.deepEqual(await counts(), before, "nothing revoked along the way");
      const row = await server.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("sys_id", "=", tokenSysId).executeTakeFirstOrThrow();
      assert.equal(row.revoked_at, null);
      // Pressed again, now signed in, it revokes and returns to the list it was chosen from.
      const revoked = await own.submitForm(shown, `/admin/tokens/${tokenSysId}/revoke`);
      assert.equal(revoked.location, `/admin/tokens?client=${client.sysId}`);
    });

    test("Deactivate user on its confirmation: back to the confirmation; the user stays active", async () => {
      const user = (await findUserByName(server.instance.store.db, "button.user"))!;
      const own = await signIn(server.base);
      const confirm = await own.get(`/admin/users/${user.sysId}/deactivate`);
      const before = await counts();
      const { location, shown } = await pressAfterSessionEnded(own, confirm, `/admin/users/${user.sysId}/active`);
      assert.equal(location, `/admin/users/${user.sysId}/deactivate`);
      assert.match(shown.html, /<h1>Deactivate this user\?<\/h1>/);
      assert.deepEqual(await counts(), before);
      assert.equal((await findUserByName(server.instance.store.db, "button.user"))!.active, true);
    });

    test("Regenerate secret on its confirmation: back to the confirmation; the secret is unchanged", async () => {
      const registered = await registerClient(server.instance, { name: "Secret Button Client" });
      const stored = async () => (await server.instance.store.db.selectFrom("oauth_entity").select("client_secret_hash").where("sys_id", "=", registered.sysId).executeTakeFirstOrThrow()).client_secret_hash;
      const secretBefore = await stored();
      const own = await signIn(server.base);
      const confirm = await own.get(`/admin/registry/${registered.sysId}/regenerate`);
      const { location } = await pressAfterSessionEnded(own, confirm, `/admin/registry/${registered.sysId}/regenerate`);
      assert.equal(location, `/admin/registry/${registered.sysId}/regenerate`);
      assert.equal(await stored(), secretBefore);
    });

    test("Remove a role and Activate on the user page: back to the user page, nothing changed", async () => {
      const user = (await findUserByName(server.instance.store.db, "button.user"))!;
      const own = await signIn(server.base);
      const removed = await pressAfterSessionEnded(own, await own.get(`/admin/users/${user.sysId}`), `/admin/users/${user.sysId}/roles`, { role: "itil", _action: "remove" });
      assert.equal(removed.location, `/admin/users/${user.sysId}`);
      assert.match(removed.shown.html, /<h1>button\.user<\/h1>/);
      assert.ok((await rolesOf(server.instance.store.db, user.sysId)).includes("itil"), "the role stays");
      await server.instance.store.db.updateTable("sys_user").set({ active: 0 }).where("sys_id", "=", user.sysId).execute();
      try {
        const activated = await pressAfterSessionEnded(own, await own.get(`/admin/users/${user.sysId}`), `/admin/users/${user.sysId}/active`);
        assert.equal(activated.location, `/admin/users/${user.sysId}`);
        assert.equal((await findUserByName(server.instance.store.db, "button.user"))!.active, false, "not activated unseen");
      } finally {
        await server.instance.store.db.updateTable("sys_user").set({ active: 1 }).where("sys_id", "=", user.sysId).execute();
      }
    });

    test("the page a refused grant showed is the user page: its buttons come back there, not to the action's URL", async () => {
      const user = (await findUserByName(server.instance.store.db, "button.user"))!;
      const own = await signIn(server.base);
      const refused = await own.submitForm(await own.get(`/admin/users/${user.sysId}`), `/admin/users/${user.sysId}/roles`, { role: "not a role!", _action: "grant" });
      assert.equal(refused.status, 400);
      assert.equal(new Map(refused.formAt(`/admin/users/${user.sysId}/roles`)).get("from"), `/admin/users/${user.sysId}`, "Remove a role");
      assert.match(refused.html, new RegExp(`name="next" value="/admin/users/${user.sysId}"`), "the language switch returns to the page too");
    });

    test("a `from` outside the admin area leads to the overview, never elsewhere", async () => {
      const user = (await findUserByName(server.instance.store.db, "button.user"))!;
      for (const from of ["https://evil.example/admin", "//evil.example/admin", "/\\evil.example/admin", "/admin/../login.do", "/admin/%2e%2e/x/../../evil", "/admin/\r\nSet-Cookie: x=1", "/administrator"]) {
        const own = await signIn(server.base);
        const page = await own.get(`/admin/users/${user.sysId}/deactivate`);
        await endSessionOf(page, `/admin/users/${user.sysId}/active`);
        const pressed = await own.submitForm(page, `/admin/users/${user.sysId}/active`, { from });
        assert.equal(pressed.status, 303, from);
        assert.equal(pressed.location, "/?next=%2Fadmin&ended=1", from);
      }
      assert.equal((await findUserByName(server.instance.store.db, "button.user"))!.active, true);
    });
  });
}
