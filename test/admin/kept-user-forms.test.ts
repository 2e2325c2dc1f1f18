import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { createUser, findUserByName, rolesOf } from "../../src/store/user-store.ts";
import { followRedirect, signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { recordProvider } from "../support/consumer.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * The Users forms and the provider's Get OAuth Token keep what was typed when the session ends
 * before they are sent, as the Registry and provider forms do: through signing in again, never
 * a password, and nothing saved until the admin sends the form again.
 */
for (const dialect of dialectsUnderTest()) {
  describe(`forms that keep what was typed through signing in again, on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect);
      await createUser(server.instance.store.db, { userName: "kept.user", passwordHash: await hashPassword("first password 1"), roles: ["itil"] }, "test");
    });
    after(() => server.close());

    /** Signing in again adds a login session; nothing else may change before the form is sent again. */
    const counts = async () => ({ ...(await tableCounts(server.instance.store)), login_session: 0 });

    /** Ends the session behind `page` (it expired while the admin typed), sends `typed` to `action`, signs in again; returns the form as it comes back. */
    async function sendAfterSessionEnded(own: FormBrowser, page: Page, action: string, typed: Record<string, string>): Promise<Page> {
      const csrf = new Map(page.formAt(action)).get("csrf_token")!;
      await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).where("csrf_token", "=", csrf).execute();
      const signInAgain = await own.submitForm(page, action, typed);
      assert.equal(signInAgain.status, 200, signInAgain.html.slice(0, 300));
      assert.match(signInAgain.html, /<h1>Sign in<\/h1>[\s\S]*Your session ended before this was saved/);
      assert.ok(!signInAgain.html.includes(csrf), "the ended session's token is not carried");
      const resume = await own.submitForm(signInAgain, "/login.do", { user_name: "admin", user_password: adminPassword });
      assert.equal(resume.status, 200);
      const restored = await own.submitForm(resume, action);
      assert.equal(restored.status, 200);
      assert.match(restored.html, /the form holds what you typed; nothing was saved yet/);
      for (const seen of [signInAgain, resume, restored]) assert.ok(!Object.entries(typed).some(([name, value]) => name === "password" && seen.html.includes(value)), "a password never goes back into a page");
      return restored;
    }

    test("New user: what was typed comes back, but the password; nothing is created until it is sent again", async () => {
      const own = await signIn(server.base);
      const before = await counts();
      const typed = { user_name: "typed.user", name: "Typed Person", first_name: "Typed", last_name: "Person", email: "typed@example.test", roles: "itil", password: "typed password 9" };
      const restored = await sendAfterSessionEnded(own, await own.get("/admin/users"), "/admin/users", typed);
      const fields = new Map(restored.formAt("/admin/users"));
      const kept = ["user_name", "name", "first_name", "last_name", "email", "roles", "password"].map((name) => fields.get(name));
      assert.deepEqual(kept, [typed.user_name, typed.name, typed.first_name, typed.last_name, typed.email, typed.roles, ""]);
      assert.deepEqual(await counts(), before, "nothing created along the way");
      const created = await followRedirect(own, await own.submitForm(restored, "/admin/users", { password: typed.password }));
      assert.match(created.html, /Created user “typed\.user”/);
    });

    test("Grant a role: the role typed comes back in its field, granted only when sent again", async () => {
      const own = await signIn(server.base);
      const user = (await findUserByName(server.instance.store.db, "kept.user"))!;
      const action = `/admin/users/${user.sysId}/roles`;
      const page = await own.get(`/admin/users/${user.sysId}`);
      const before = await counts();
      const restored = await sendAfterSessionEnded(own, page, action, { role: "rest_api_explorer", _action: "grant" });
      assert.match(restored.html, /<input type="text" id="role" name="role" value="rest_api_explorer"/);
      assert.deepEqual(await counts(), before, "nothing granted along the way");
      assert.deepEqual(await rolesOf(server.instance.store.db, user.sysId), ["itil"]);
      await followRedirect(own, await own.post(action, new URLSearchParams([...restored.formAt(action).filter(([name]) => name !== "role"), ["role", "rest_api_explorer"], ["_action", "grant"]])));
      assert.deepEqual(await rolesOf(server.instance.store.db, user.sysId), ["itil", "rest_api_explorer"]);
    });

    test("Set password: the user page comes back without the password, which is unchanged", async () => {
      const own = await signIn(server.base);
      const user = (await findUserByName(server.instance.store.db, "kept.user"))!;
      const before = await counts();
      const restored = await sendAfterSessionEnded(own, await own.get(`/admin/users/${user.sysId}`), `/admin/users/${user.sysId}/password`, { password: "never carried 7" });
      assert.match(restored.html, /<h1>kept\.user<\/h1>/);
      assert.deepEqual(await counts(), before);
      assert.equal((await findUserByName(server.instance.store.db, "kept.user"))!.passwordHash, user.passwordHash, "the password is unchanged");
    });

    test("Remove a role, a button with nothing typed: straight to signing in, and the role stays", async () => {
      const own = await signIn(server.base);
      const user = (await findUserByName(server.instance.store.db, "kept.user"))!;
      const page = await own.get(`/admin/users/${user.sysId}`);
      await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).where("csrf_token", "=", new Map(page.formAt(`/admin/users/${user.sysId}/password`)).get("csrf_token")!).execute();
      const res = await own.post(`/admin/users/${user.sysId}/roles`, new URLSearchParams({ csrf_token: "ended", role: "itil", _action: "remove" }));
      assert.equal(res.status, 303);
      assert.match(res.location!, /^\/\?next=%2Fadmin&ended=1$/);
      assert.ok((await rolesOf(server.instance.store.db, user.sysId)).includes("itil"));
    });

    test("Get OAuth Token with the password grant: the user name comes back, the password does not, and no token is asked for", async () => {
      // A token URL nobody answers: asking it would show the provider's failure (502) instead of the form.
      const provider = await recordProvider(server.instance, { name: "Password Peer", client_id: "peer", client_secret: "s", token_url: "http://127.0.0.1:9/oauth_token.do", default_grant: "password" });
      const own = await signIn(server.base);
      const action = `/admin/providers/${provider.sysId}/token`;
      const restored = await sendAfterSessionEnded(own, await own.get(`/admin/providers/${provider.sysId}`), action, { username: "svc.integration", password: "peer password 5" });
      const fields = new Map(restored.formAt(action));
      assert.deepEqual([fields.get("username"), fields.get("password")], ["svc.integration", ""]);
      assert.doesNotMatch(restored.html, /alert-error/);
    });
  });
}
