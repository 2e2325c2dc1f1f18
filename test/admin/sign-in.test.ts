import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { adminRoutes } from "../../src/http/admin/admin-routes.ts";
import { findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { createUser, findUserByName } from "../../src/store/user-store.ts";
import { signIn } from "../support/admin.ts";
import { recordProvider } from "../support/consumer.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`admin sign-in, sign-out and the admin role on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect);
      await createUser(server.instance.store.db, { userName: "itil", passwordHash: await hashPassword("itil password 1"), roles: ["itil"] }, "test");
    });
    after(() => server.close());

    test("an admin page without a session redirects to the sign-in form at / and comes back after it", async () => {
      const browser = new FormBrowser(server.base);
      const res = await browser.get("/admin/registry?q=pipe");
      assert.equal(res.status, 303);
      assert.equal(res.location, "/?next=%2Fadmin%2Fregistry%3Fq%3Dpipe");
      const form = await browser.get(res.location!);
      assert.match(form.html, /<h1>Sign in<\/h1>/);
      const signedIn = await browser.submitForm(form, "/login.do", { user_name: "admin", user_password: adminPassword });
      assert.equal(signedIn.status, 303);
      assert.equal(signedIn.location, "/admin/registry?q=pipe");
      assert.equal((await browser.get(signedIn.location!)).status, 200);
    });

    test("two instances on one host, different ports: signing in at one does not sign the browser out of the other", async () => {
      const other = await startTestInstance(dialect);
      try {
        // One jar for both, as a browser keeps cookies per host whatever the port (RFC 6265 §8.5).
        const browser = new FormBrowser(server.base);
        const signInHere = async () => assert.equal((await browser.submitForm(await browser.get("/"), "/login.do", { user_name: "admin", user_password: adminPassword })).status, 303);
        await signInHere();
        browser.base = other.base;
        await signInHere();
        assert.equal((await browser.get("/admin/registry")).status, 200);
        browser.base = server.base;
        assert.equal((await browser.get("/admin/registry")).status, 200, "still signed in at the first instance");
        assert.match(browser.cookieHeader(), new RegExp(`portcullis_session_${new URL(server.url).port}=.*portcullis_session_${new URL(other.url).port}=`));
      } finally {
        await other.close();
      }
    });

    test("sign-in follows only paths inside /admin", async () => {
      const browser = new FormBrowser(server.base);
      const form = await browser.get("/?next=https%3A%2F%2Fevil.example%2F");
      const res = await browser.submitForm(form, "/login.do", { user_name: "admin", user_password: adminPassword, next: "//evil.example/admin" });
      assert.equal(res.location, "/admin");
      // Signed in already, `next` is followed at once: one that steps out of /admin, or that a Location header cannot carry, is the overview (not a 500).
      for (const next of ["/admin/../login.do", "/admin/\r\nSet-Cookie: x=1", "/admin\\evil.example"]) {
        const again = await browser.get(`/?${new URLSearchParams({ next })}`);
        assert.equal(again.status, 303, JSON.stringify(next));
        assert.equal(again.location, "/admin", JSON.stringify(next));
      }
      assert.equal((await browser.get(`/?${new URLSearchParams({ next: "/admin/users?q=김" })}`)).location, "/admin/users?q=%EA%B9%80", "written as a URL");
    });

    test("a wrong password shows the form again with the error and starts no session", async () => {
      const browser = new FormBrowser(server.base);
      const form = await browser.get("/");
      const before = await tableCounts(server.instance.store);
      const res = await browser.submitForm(form, "/login.do", { user_name: "admin", user_password: "not the password" });
      assert.equal(res.status, 401);
      assert.match(res.html, /role="alert">The user name or password is wrong\./);
      assert.match(res.html, /name="user_name" autocomplete="username" required value="admin"/);
      assert.equal((await tableCounts(server.instance.store)).login_session, before.login_session);
      await server.instance.store.db.updateTable("sys_user").set({ failed_attempts: 0 }).execute();
    });

    test("a sign-in form posted without its CSRF cookie is refused (403) and starts no session", async () => {
      const form = await new FormBrowser(server.base).get("/");
      const before = await tableCounts(server.instance.store);
      const res = await new FormBrowser(server.base).submitForm(form, "/login.do", { user_name: "admin", user_password: adminPassword });
      assert.equal(res.status, 403);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("admin pages send a strict CSP (scripts and styles only from 'self'), refuse framing and carry no inline script", async () => {
      const browser = await signIn(server.base);
      const provider = await recordProvider(server.instance, { client_id: "csp-walk", client_secret: "s", token_url: "https://peer.example/oauth_token.do" });
      const client = await registerClient(server.instance, { name: "CSP Walk Client" });
      const admin = (await findUserByName(server.instance.store.db, "admin"))!;
      await issueTokens(server.instance.store.db, { client: (await findClientBySysId(server.instance.store.db, client.sysId))!, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test");
      const token = await server.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", client.sysId).executeTakeFirstOrThrow();
      const providerPages = ["/admin/registry/new/provider", `/admin/providers/${provider.sysId}`, `/admin/providers/${provider.sysId}/edit`, `/admin/providers/${provider.sysId}/delete`, `/admin/tokens/revoke-client?client=${client.sysId}`, `/admin/registry/${client.sysId}`, `/admin/registry/${client.sysId}/delete`];
      const confirmations = [`/admin/tokens/${token.sys_id}/revoke`, `/admin/users/${admin.sysId}`, `/admin/users/${admin.sysId}/deactivate`];
      for (const path of ["/", "/admin", "/admin/registry", "/admin/registry/new", "/admin/registry/new/client", ...providerPages, ...confirmations, "/admin/tokens", "/admin/users", "/admin/roles", "/admin/audit", "/admin/pipeline"]) {
        const page = await (path === "/" ? new FormBrowser(server.base) : browser).get(path);
        assert.equal(page.status, 200, path);
        const csp = page.headers.get("content-security-policy") ?? "";
        assert.match(csp, /script-src 'self'(;|$)/, path);
        assert.match(csp, /style-src 'self'(;|$)/, path);
        assert.match(csp, /frame-ancestors 'none'/, path);
        assert.doesNotMatch(csp, /unsafe-inline/, path);
        assert.equal(page.headers.get("x-frame-options"), "DENY", path);
        assert.equal(page.headers.get("cache-control"), "no-store", path);
        assert.doesNotMatch(page.html, /<script(?![^>]*\ssrc=)[^>]*>/, `${path} has an inline script`);
        assert.doesNotMatch(page.html, /<style|\sstyle=|\son[a-z]+=/, `${path} has inline style or an event handler attribute`);
        for (const match of page.html.matchAll(/<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/g)) assert.match(match[1]!, /name="csrf_token" value="[A-Za-z0-9_-]{43}"/, `${path}: a form without a CSRF token`);
      }
    });

    test("every admin POST route refuses a form without the session's CSRF token and changes nothing", async () => {
      const browser = await signIn(server.base);
      const client = await registerClient(server.instance, { name: "CSRF Walk Client" });
      const admin = (await findUserByName(server.instance.store.db, "admin"))!;
      const provider = await recordProvider(server.instance, { client_id: "csrf-walk", client_secret: "s", token_url: "https://peer.example/oauth_token.do" });
      const before = await tableCounts(server.instance.store);
      const posts = adminRoutes().filter((r) => r.method === "POST" && r.url !== "/login.do");
      assert.equal(posts.length, 17);
      const recordOf = (url: string) => (url.startsWith("/admin/users") ? admin.sysId : url.startsWith("/admin/providers") ? provider.sysId : client.sysId);
      for (const route of posts) {
        const url = route.url.replace(":sysId", recordOf(route.url));
        const fields = new URLSearchParams({ name: "Changed", client: client.sysId, password: "a new password", role: "admin", _action: "remove", active: "false", user_name: "x.y", grant_types: "authorization_code", client_id: "forged", client_secret: "s", token_url: "https://evil.example/t" });
        for (const csrf of [null, "forged"]) {
          if (csrf) fields.set("csrf_token", csrf);
          const res = await browser.post(url, fields);
          assert.equal(res.status, 403, `${url} accepted a form without a valid CSRF token`);
        }
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("the script and stylesheet are served from the instance", async () => {
      const js = await fetch(`${server.base}/assets/admin.js`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get("content-type") ?? "", /text\/javascript/);
      assert.match(await js.text(), /data-lock-toggle/);
      const css = await fetch(`${server.base}/assets/admin.css`);
      assert.match(css.headers.get("content-type") ?? "", /text\/css/);
      const again = await fetch(`${server.base}/assets/admin.css`, { headers: { "if-none-match": css.headers.get("etag")! } });
      assert.equal(again.status, 304);
    });

    test("a signed-in user without the admin role gets a clear 403 page, and their POSTs change nothing", async () => {
      const browser = await signIn(server.base, "itil", "itil password 1");
      const page = await browser.get("/admin/registry");
      assert.equal(page.status, 403);
      assert.match(page.html, /require the <code>admin<\/code> role/);
      assert.match(page.html, /<strong>itil<\/strong>/);
      assert.doesNotMatch(page.html, /class="navigator"/, "no menu of pages that would all be refused");
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.html)![1]!;
      const before = await tableCounts(server.instance.store);
      const res = await browser.post("/admin/registry/new/client", new URLSearchParams({ csrf_token: csrf, name: "Sneaky", grant_types: "authorization_code" }));
      assert.equal(res.status, 403);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("sign-out is a POST with the session's CSRF token; without it the session stays", async () => {
      const browser = await signIn(server.base);
      const page = await browser.get("/admin");
      const refused = await browser.submitForm(page, "/logout.do", { csrf_token: "forged" });
      assert.equal(refused.status, 403);
      assert.equal((await browser.get("/admin")).status, 200);
      const signedOut = await browser.submitForm(page, "/logout.do");
      assert.equal(signedOut.status, 303);
      assert.match((await browser.get(signedOut.location!)).html, /You have signed out\./);
      assert.equal((await browser.get("/admin")).status, 303);
    });

    test("an expired session leads back to the sign-in form", async () => {
      const browser = await signIn(server.base);
      assert.equal((await browser.get("/admin")).status, 200);
      await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).execute();
      const res = await browser.get("/admin");
      assert.equal(res.status, 303);
      assert.match(res.location!, /^\/\?next=/);
      // The sign-in form says why it is back.
      assert.match((await browser.get(res.location!)).html, /Your session has ended/);
      // A first visit, with no session cookie at all, is not told a session ended.
      const fresh = await fetch(`${server.base}/admin`, { redirect: "manual" });
      assert.doesNotMatch(fresh.headers.get("location")!, /ended/);
    });
  });
}
