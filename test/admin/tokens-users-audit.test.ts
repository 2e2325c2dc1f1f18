import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { tokenLookupKey } from "../../src/domain/token-value.ts";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { findUserByName, rolesOf } from "../../src/store/user-store.ts";
import { fieldError, followRedirect, signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Manage Tokens, Users, Roles and Audit pages on ${dialect.name}`, () => {
    let server: TestInstance;
    let browser: FormBrowser;
    let client: RegisteredClient;
    const issued: { access_token: string; refresh_token: string }[] = [];

    async function passwordGrant(userName = "admin", password = adminPassword) {
      const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: userName, password }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.status, 200, res.text);
      return res.body as { access_token: string; refresh_token: string };
    }

    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { name: "Token Client", grant_types: "password,refresh_token" });
      issued.push(await passwordGrant(), await passwordGrant());
      browser = await signIn(server.base);
    });
    after(() => server.close());

    test("Manage Tokens lists client, user, type, issued and expiry, never a token or its hash", async () => {
      const page = await browser.get("/admin/tokens");
      assert.equal(page.status, 200);
      assert.equal([...page.html.matchAll(/<td class="name"><a href="\/admin\/registry\/[0-9a-f]{32}">Token Client<\/a><\/td><td>admin<\/td>/g)].length, 4);
      assert.match(page.html, /<td class="nowrap">Access<\/td>/);
      assert.match(page.html, /<td class="nowrap">Refresh<\/td>/);
      for (const pair of issued) {
        for (const token of [pair.access_token, pair.refresh_token]) {
          assert.ok(!page.html.includes(token), "a token value appears on the page");
          assert.ok(!page.html.includes(tokenLookupKey(token)), "a token hash appears on the page");
        }
      }
    });

    test("revoking one refresh token ends its grant (RFC 7009 §2.1) and leaves the other grant alive, after confirming", async () => {
      const introspect = (token: string) => postForm(`${server.base}/oauth_introspect`, { token }, { authorization: basic(client.clientId, client.secret) });
      const list = `/admin/tokens?client=${client.sysId}`;
      const page = await browser.get(list);
      const row = await server.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("token_hash", "=", tokenLookupKey(issued[0]!.refresh_token)).executeTakeFirstOrThrow();
      const action = `/admin/tokens/${row.sys_id}/revoke`;
      assert.doesNotMatch(page.html, /action="\/admin\/tokens\/[0-9a-f]{32}\/revoke"/, "the list's Revoke only leads to the confirmation");
      assert.ok(page.html.includes(`href="${action}?client=${client.sysId}"`), "the link keeps the list's client filter");
      const confirm = await browser.get(`${action}?client=${client.sysId}`);
      assert.equal(confirm.status, 200);
      assert.match(confirm.html, /<h1>Revoke this token\?<\/h1>/);
      assert.match(confirm.html, /This refresh token stops working at once, and so do the access tokens issued with it/);
      assert.match(confirm.html, /<dt>Client<\/dt><dd>Token Client<\/dd><dt>User<\/dt><dd>admin<\/dd><dt>Type<\/dt><dd>Refresh<\/dd>/);
      assert.match(confirm.html, new RegExp(`<a class="btn btn-quiet" href="/admin/tokens\\?client=${client.sysId}">Cancel</a>`));
      assert.equal((await introspect(issued[0]!.access_token)).body.active, true, "asking revokes nothing");
      const sent = await browser.submitForm(confirm, action);
      assert.equal(sent.status, 303);
      assert.equal(sent.location, list, "back to the list it was chosen from, its filter kept");
      const done = await followRedirect(browser, sent);
      assert.match(done.html, /The token was revoked\./);
      assert.equal((await introspect(issued[0]!.access_token)).body.active, false);
      assert.equal((await introspect(issued[1]!.access_token)).body.active, true);
      assert.match(done.html, /pill-revoked/);
      assert.equal((await browser.get("/admin/tokens/0123456789abcdef0123456789abcdef/revoke")).status, 404);
    });

    test("a revoke with a forged CSRF token is refused and revokes nothing", async () => {
      const page = await browser.get("/admin/tokens");
      const href = /href="(\/admin\/tokens\/[0-9a-f]{32}\/revoke)"/.exec(page.html)![1]!;
      const confirm = await browser.get(href);
      const before = await tableCounts(server.instance.store);
      const res = await browser.submitForm(confirm, href, { csrf_token: "forged" });
      assert.equal(res.status, 403);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("revoke all tokens of a client, from the client's token list, after confirming", async () => {
      const page = await browser.get(`/admin/tokens?client=${client.sysId}`);
      assert.match(page.html, /Revoke every live token of <strong>Token Client<\/strong>/);
      assert.doesNotMatch(page.html, /action="\/admin\/tokens\/revoke-client"/, "the list's button only leads to the confirmation");
      const before = await tableCounts(server.instance.store);
      const confirm = await browser.get(`/admin/tokens/revoke-client?client=${client.sysId}`);
      assert.equal(confirm.status, 200);
      assert.match(confirm.html, /<h1>Revoke every live token of this client\?<\/h1>/);
      // Like every confirmation, it says what will happen, not what to do.
      assert.match(confirm.html, /role="alert">Every live token of <strong>Token Client<\/strong> stops working at once\./);
      assert.deepEqual(await tableCounts(server.instance.store), before, "asking revokes nothing");
      const done = await followRedirect(browser, await browser.submitForm(confirm, "/admin/tokens/revoke-client"));
      assert.match(done.html, /2 live tokens were revoked\./);
      const res = await postForm(`${server.base}/oauth_introspect`, { token: issued[1]!.access_token }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(res.body.active, false);
      assert.doesNotMatch(done.html, /pill-live/);
    });

    test("creating a user: errors at the field and nothing written, then created with roles", async () => {
      const page = await browser.get("/admin/users");
      const before = await tableCounts(server.instance.store);
      const bad = await browser.submitForm(page, "/admin/users", { user_name: "no spaces allowed", password: "short", email: "not-an-email" });
      assert.equal(bad.status, 400);
      assert.match(fieldError(bad, "user_name") ?? "", /letters, digits/);
      // The summary puts the label before the message, joined by a colon: "User name: must be …".
      assert.match(bad.html, /<a href="#user_name">User name<\/a>: must be 1 to 100 letters/);
      assert.match(fieldError(bad, "password") ?? "", /at least 8/);
      assert.match(fieldError(bad, "email") ?? "", /email/);
      assert.match(bad.html, /value="no spaces allowed"/);
      assert.doesNotMatch(bad.html, /value="short"/, "a typed password is never sent back");
      const taken = await browser.submitForm(page, "/admin/users", { user_name: "admin", password: "long enough 1" });
      assert.match(fieldError(taken, "user_name") ?? "", /already exists/);
      assert.deepEqual(await tableCounts(server.instance.store), before);
      const created = await followRedirect(browser, await browser.submitForm(page, "/admin/users", { user_name: "pipeline.bot", name: "Pipeline Bot", password: "first password", roles: "rest_api_explorer" }));
      assert.match(created.html, /Created user “pipeline\.bot”/);
      const user = (await findUserByName(server.instance.store.db, "pipeline.bot"))!;
      assert.deepEqual(await rolesOf(server.instance.store.db, user.sysId), ["rest_api_explorer"]);
    });

    test("a new user with a first and last name and no name is named \"first last\"; a name typed wins; a part over 50 characters is an error at its field", async () => {
      const page = await browser.get("/admin/users");
      const before = await tableCounts(server.instance.store);
      const long = await browser.submitForm(page, "/admin/users", { user_name: "long.first", first_name: "F".repeat(51), password: "long enough 1" });
      assert.equal(long.status, 400);
      assert.match(fieldError(long, "first_name") ?? "", /at most 50 characters/);
      assert.match(long.html, /<a href="#first_name">First name<\/a>/);
      assert.deepEqual(await tableCounts(server.instance.store), before);
      const created = await followRedirect(browser, await browser.submitForm(page, "/admin/users", { user_name: "ada", first_name: " Ada", last_name: "Lovelace ", password: "long enough 1" }));
      assert.match(created.html, /<dt>Name<\/dt>\s*<dd>Ada Lovelace<\/dd>\s*<dt>First name<\/dt>\s*<dd>Ada<\/dd>\s*<dt>Last name<\/dt>\s*<dd>Lovelace<\/dd>/);
      await browser.submitForm(page, "/admin/users", { user_name: "countess", name: "Countess of Lovelace", first_name: "Augusta", last_name: "King", password: "long enough 1" });
      const countess = (await findUserByName(server.instance.store.db, "countess"))!;
      assert.deepEqual([countess.name, countess.firstName, countess.lastName], ["Countess of Lovelace", "Augusta", "King"]);
    });

    test("a new user's roles list names each entry that is not a role name, in English and Korean, and nothing is saved", async () => {
      const korean = await signIn(server.base);
      korean.setCookie(languageCookie, "ko");
      const before = await tableCounts(server.instance.store);
      for (const [reader, bad, worse] of [[browser, /^“Bad Role” is not a role name/, /“Bad Role”[^“]*; “9lives” is not a role name/], [korean, /^“Bad Role”은\(는\) 역할 이름이 될 수 없습니다/, /“Bad Role”[^“]*\. “9lives”은\(는\)/]] as const) {
        const page = await reader.get("/admin/users");
        const one = await reader.submitForm(page, "/admin/users", { user_name: "bad.roles", password: "long enough 1", roles: "Bad Role, itil" });
        assert.equal(one.status, 400);
        assert.match(fieldError(one, "roles") ?? "", bad);
        assert.doesNotMatch(fieldError(one, "roles") ?? "", /itil/, "the good entry is not blamed");
        const two = await reader.submitForm(page, "/admin/users", { user_name: "bad.roles", password: "long enough 1", roles: "Bad Role, itil, 9lives" });
        assert.match(fieldError(two, "roles") ?? "", worse);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("set a password, grant and remove roles; the last admin cannot lose the role", async () => {
      const user = (await findUserByName(server.instance.store.db, "pipeline.bot"))!;
      const path = `/admin/users/${user.sysId}`;
      let page = await browser.get(path);
      const short = await browser.submitForm(page, `${path}/password`, { password: "short" });
      assert.equal(short.status, 400);
      assert.match(fieldError(short, "password") ?? "", /at least 8/);
      page = await followRedirect(browser, await browser.submitForm(page, `${path}/password`, { password: "second password" }));
      assert.match(page.html, /password of “pipeline\.bot” was changed/);
      await signIn(server.base, "pipeline.bot", "second password");
      page = await followRedirect(browser, await browser.submitForm(page, `${path}/roles`, { role: "itil", _action: "grant" }));
      assert.deepEqual(await rolesOf(server.instance.store.db, user.sysId), ["itil", "rest_api_explorer"]);
      const badRole = await browser.submitForm(page, `${path}/roles`, { role: "Not A Role!", _action: "grant" });
      assert.equal(badRole.status, 400);
      assert.ok(fieldError(badRole, "role"));
      assert.match(badRole.html, /<a href="#role">Role<\/a>: “Not A Role!” is not a role name: a role name starts with a lowercase letter/);
      assert.match(badRole.html, /<input type="text" id="role" name="role" value="Not A Role!"/, "the role typed is kept to be corrected");
      page = await followRedirect(browser, await browser.post(`${path}/roles`, new URLSearchParams({ csrf_token: page.formAt(`${path}/password`)[0]![1], role: "itil", _action: "remove" })));
      assert.deepEqual(await rolesOf(server.instance.store.db, user.sysId), ["rest_api_explorer"]);

      const admin = (await findUserByName(server.instance.store.db, "admin"))!;
      const adminPage = await browser.get(`/admin/users/${admin.sysId}`);
      const refused = await browser.post(`/admin/users/${admin.sysId}/roles`, new URLSearchParams({ csrf_token: adminPage.formAt(`/admin/users/${admin.sysId}/password`)[0]![1], role: "admin", _action: "remove" }));
      assert.equal(refused.status, 400);
      // The refusal is about the role list's Remove, so it is shown there, not at Grant's field.
      assert.match(fieldError(refused, "roles") ?? "", /last active admin/);
      assert.equal(fieldError(refused, "role"), undefined);
      assert.match(refused.html, /<a href="#roles">Roles<\/a>/, "the error summary leads to the role list");
      assert.match(refused.html, /<ul class="role-list" id="roles"/);
      assert.match(refused.html, /<input type="text" id="role" name="role" value list="known-roles" autocomplete="off"\/>/, "Grant is neither filled in nor marked invalid");
      assert.deepEqual(await rolesOf(server.instance.store.db, admin.sysId), ["admin"]);
    });

    test("deactivating a user, after confirming, ends their sessions and tokens", async () => {
      const user = (await findUserByName(server.instance.store.db, "pipeline.bot"))!;
      const theirBrowser = await signIn(server.base, "pipeline.bot", "second password");
      assert.equal((await theirBrowser.get("/admin")).status, 403);
      const page = await browser.get(`/admin/users/${user.sysId}`);
      assert.doesNotMatch(page.html, /action="\/admin\/users\/[0-9a-f]{32}\/active"/, "the page's Deactivate only leads to the confirmation");
      assert.ok(page.html.includes(`href="/admin/users/${user.sysId}/deactivate"`));
      const confirm = await browser.get(`/admin/users/${user.sysId}/deactivate`);
      assert.equal(confirm.status, 200);
      assert.match(confirm.html, /<h1>Deactivate this user\?<\/h1>/);
      assert.match(confirm.html, /<strong>pipeline\.bot<\/strong> can no longer sign in/);
      assert.match(confirm.html, new RegExp(`<a class="btn btn-quiet" href="/admin/users/${user.sysId}">Cancel</a>`));
      assert.equal((await findUserByName(server.instance.store.db, "pipeline.bot"))!.active, true, "asking changes nothing");
      assert.equal((await theirBrowser.get("/admin")).status, 403, "their session is still there");
      for (const value of ["banana", ""]) {
        const refused = await browser.submitForm(confirm, `/admin/users/${user.sysId}/active`, { active: value });
        assert.equal(refused.status, 400, `active=${value}`);
        assert.match(fieldError(refused, "active") ?? "", /must be true or false/);
        assert.equal((await findUserByName(server.instance.store.db, "pipeline.bot"))!.active, true, "a value the form never sends changes nothing");
      }
      const done = await followRedirect(browser, await browser.submitForm(confirm, `/admin/users/${user.sysId}/active`));
      assert.match(done.html, /“pipeline\.bot” is now inactive\./);
      assert.equal((await findUserByName(server.instance.store.db, "pipeline.bot"))!.active, false);
      assert.equal((await theirBrowser.get("/admin")).status, 303);
      // Activating again is harmless and stays one press.
      assert.match(done.html, new RegExp(`<form method="post" action="/admin/users/${user.sysId}/active">`));
    });

    test("Roles lists each role with its users", async () => {
      const page = await browser.get("/admin/roles");
      assert.match(page.html, /<code>admin<\/code><\/td><td>Full control of the instance<\/td><td class="wrap">admin<\/td>/);
      assert.match(page.html, /<code>rest_api_explorer<\/code>/);
    });

    test("Audit reads as a history, overall and per record", async () => {
      const all = await browser.get("/admin/audit");
      assert.match(all.html, /Token Client<\/a><span class="muted small"> · Application Registry/);
      assert.match(all.html, /pipeline\.bot<\/a><span class="muted small"> · Users/);
      assert.match(all.html, /Roles: \+itil/);
      assert.match(all.html, /Password: \(changed\)/);
      const user = (await findUserByName(server.instance.store.db, "pipeline.bot"))!;
      const one = await browser.get(`/admin/audit?table=sys_user&record=${user.sysId}`);
      assert.match(one.html, /<h1>History of pipeline\.bot<\/h1>/);
      assert.match(one.html, /Active: Yes → No/);
      assert.doesNotMatch(one.html, /Token Client/);
      const tokens = await browser.get("/admin/audit?table=oauth_credential");
      assert.match(tokens.html, /revoked by an administrator/);
      assert.doesNotMatch(tokens.html, / · Users/);
    });

    test("Audit in Korean words the reasons and the values Portcullis wrote; the Table API keeps their English", async () => {
      const korean = await signIn(server.base);
      korean.setCookie(languageCookie, "ko");
      const all = await korean.get("/admin/audit");
      assert.match(all.html, /<html lang="ko"/);
      assert.match(all.html, /<td>관리자가 해지<\/td>/);
      assert.match(all.html, /비밀번호: \(변경됨\)/);
      assert.match(all.html, /토큰 \d+개/);
      assert.match(all.html, /발급: [^<]+에 액세스 토큰 발급\(리소스 소유자 비밀번호 자격 증명\)/);
      assert.doesNotMatch(all.html, /revoked by an administrator|\(changed\)|\d+ tokens| via password to /);
      const rows = await fetch(`${server.base}/api/now/table/sys_audit?sysparm_query=tablename=oauth_credential&sysparm_fields=reason,newvalue`, { headers: { authorization: `Bearer ${(await passwordGrant()).access_token}`, "accept-language": "ko" } });
      const listed = (await rows.json()) as { result: { reason: string }[] };
      assert.equal(rows.status, 200, JSON.stringify(listed));
      const reasons = listed.result.map((r) => r.reason);
      assert.ok(reasons.includes("revoked by an administrator"), reasons.join());
      // The error summary joins a field's label to its message with a colon, in Korean as in English.
      const users = await korean.get("/admin/users");
      const bad = await korean.submitForm(users, "/admin/users", { user_name: "", password: "long enough 1" });
      assert.equal(bad.status, 400);
      assert.match(bad.html, /<a href="#user_name">사용자 이름<\/a>: 영문자/);
      const english = await browser.submitForm(await browser.get("/admin/users"), "/admin/users", { user_name: "", password: "long enough 1" });
      assert.match(english.html, /<a href="#user_name">[^<]+<\/a>: [a-z]/);
      // Yes and no, not true and false, on a Korean page.
      assert.match((await korean.get("/admin/users")).html, /<span class="pill pill-yes">예<\/span>/);
    });
  });
}
