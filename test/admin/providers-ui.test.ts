import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { listProviders, updateProvider } from "../../src/store/provider-store.ts";
import { translator } from "../../src/i18n/translator.ts";
import { fieldError, followRedirect, signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const newForm = "/admin/registry/new/provider";

for (const dialect of dialectsUnderTest()) {
  describe(`admin UI: Connect to a third-party OAuth Provider, on ${dialect.name}`, () => {
    let peer: TestInstance;
    let consumer: TestInstance;
    let browser: FormBrowser;
    before(async () => {
      [peer, consumer] = await Promise.all([startTestInstance(dialect), startTestInstance(dialect)]);
      browser = await signIn(consumer.base);
    });
    after(async () => {
      await Promise.all([peer.close(), consumer.close()]);
    });

    const providers = () => listProviders(consumer.instance.store.db);
    const obtained = (sysId: string) => consumer.instance.store.db.selectFrom("oauth_obtained_token").select(["status", "grant_type"]).where("provider", "=", sysId).executeTakeFirst();

    async function create(fields: Record<string, string>) {
      const form = await browser.get(newForm);
      return browser.submitForm(form, newForm, fields);
    }

    /** A provider made through the form for a fresh client_credentials client at the peer, with a token got through its page. */
    async function connectedThroughForm(name: string) {
      const client = await registerClient(peer.instance, { grant_types: "client_credentials" });
      const record = await followRedirect(browser, await create({ name, client_id: client.clientId, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do`, revocation_url: `${peer.base}/oauth_revoke_token.do` }));
      const provider = (await providers()).find((p) => p.name === name)!;
      await followRedirect(browser, await browser.submitForm(record, `/admin/providers/${provider.sysId}/token`));
      return { client, provider, edit: `/admin/providers/${provider.sysId}/edit` };
    }

    test("the interceptor's second choice opens the form, which names the redirect URL to register at the provider", async () => {
      const interceptor = await browser.get("/admin/registry/new");
      assert.match(interceptor.html, new RegExp(`href="${newForm}"[^>]*>\\s*<strong>Connect to a third-party OAuth Provider`));
      const form = await browser.get(newForm);
      assert.equal(form.status, 200);
      assert.ok(form.html.includes(`${consumer.base}/oauth_redirect.do`), "the redirect URL is shown");
      assert.match(form.html, /<select id="default_grant" name="default_grant"/);
      assert.match(form.html, /<a class="btn btn-quiet" href="\/admin\/registry">Cancel<\/a>/, "Cancel leads back to the registry, as on the endpoint form");
    });

    test("bad input comes back with errors at its fields, the secret not echoed, and nothing stored", async () => {
      const answer = await create({ name: "Half", client_id: "abc", client_secret: "typed-secret-value", token_url: "not a url" });
      assert.equal(answer.status, 400);
      assert.ok(fieldError(answer, "token_url"), "token_url has its error");
      assert.match(answer.html, /id="name"[^>]*value="Half"/, "what was typed is kept");
      assert.ok(!answer.html.includes("typed-secret-value"), "the secret is never written back into the page");
      const noAuthorizationUrl = await create({ name: "Code", client_id: "abc1", client_secret: "x", token_url: `${peer.base}/oauth_token.do`, default_grant: "authorization_code" });
      assert.equal(noAuthorizationUrl.status, 400);
      assert.ok(fieldError(noAuthorizationUrl, "authorization_url"), "the Authorization Code grant needs an authorization URL");
      assert.match(noAuthorizationUrl.html, /<option value="authorization_code" selected/, "the chosen grant is kept");
      const noSecret = await create({ name: "No secret", client_id: "abc2", client_secret: "", token_url: `${peer.base}/oauth_token.do` });
      assert.equal(noSecret.status, 400);
      assert.ok(fieldError(noSecret, "client_secret"));
      assert.deepEqual(await providers(), []);
    });

    test("a new provider sent after the session ended comes back after signing in with what was typed, but the secret", async () => {
      const own = await signIn(consumer.base);
      const form = await own.get(newForm);
      await consumer.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).where("csrf_token", "=", new Map(form.formAt(newForm)).get("csrf_token")!).execute();
      const typed = { name: "Kept Provider", client_id: "kept-client", client_secret: "typed secret 42", token_url: "https://kept.example/oauth_token.do", scope: "useraccount" };
      const signInAgain = await own.submitForm(form, newForm, typed);
      assert.match(signInAgain.html, /Your session ended before this was saved/);
      const resume = await own.submitForm(signInAgain, "/login.do", { user_name: "admin", user_password: adminPassword });
      const restored = await own.submitForm(resume, newForm);
      assert.equal(restored.status, 200);
      for (const page of [signInAgain, resume, restored]) assert.ok(!page.html.includes(typed.client_secret), "a secret never goes back into a page");
      const fields = new Map(restored.formAt(newForm));
      assert.deepEqual([fields.get("name"), fields.get("client_id"), fields.get("token_url"), fields.get("scope"), fields.get("client_secret")], [typed.name, typed.client_id, typed.token_url, typed.scope, ""]);
      assert.equal((await providers()).find((p) => p.name === typed.name), undefined, "nothing stored until it is sent again");
    });

    test("a post without the session's CSRF token changes nothing", async () => {
      const refused = await browser.post(newForm, new URLSearchParams({ name: "Forged", client_id: "f", client_secret: "s", token_url: `${peer.base}/oauth_token.do` }));
      assert.equal(refused.status, 403);
      assert.deepEqual(await providers(), []);
    });

    test("create, Get OAuth Token (client_credentials), see it healthy on the record and the list, then delete", async () => {
      const client = await registerClient(peer.instance, { grant_types: "client_credentials" });
      const created = await create({ name: "Peer CC", client_id: client.clientId, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do`, revocation_url: `${peer.base}/oauth_revoke_token.do`, default_grant: "client_credentials", credential_style: "basic" });
      const record = await followRedirect(browser, created);
      assert.match(record.html, /Created “Peer CC”/);
      assert.match(record.html, /No token yet/);
      assert.ok(!record.html.includes(client.secret), "the secret is not shown");
      const [provider] = await providers();
      assert.equal(provider?.name, "Peer CC");
      assert.equal(provider.redirectUrl, `${consumer.base}/oauth_redirect.do`);

      const got = await followRedirect(browser, await browser.submitForm(record, `/admin/providers/${provider.sysId}/token`));
      assert.match(got.html, /Got a token from “Peer CC”/);
      assert.match(got.html, /data-token-status="healthy"/);
      assert.deepEqual(await obtained(provider.sysId), { status: "healthy", grant_type: "client_credentials" });
      const list = await browser.get("/admin/registry");
      assert.match(list.html, new RegExp(`href="/admin/providers/${provider.sysId}">Peer CC</a>[\\s\\S]*?pill-yes">healthy`));

      assert.doesNotMatch(got.html, /<form[^>]*action="\/admin\/providers\/[0-9a-f]{32}\/delete"/, "the record's Delete only leads to the confirmation");
      const confirm = await browser.get(`/admin/providers/${provider.sysId}/delete`);
      assert.match(confirm.html, /<h1>Delete this provider\?<\/h1>/);
      assert.equal((await providers()).length, 1, "asking deletes nothing");
      const deleted = await followRedirect(browser, await browser.submitForm(confirm, `/admin/providers/${provider.sysId}/delete`));
      assert.match(deleted.html, /Deleted “Peer CC”\. Its tokens were revoked at the provider\./);
      const atPeer = await peer.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("client", "=", client.sysId).execute();
      assert.ok(atPeer.length > 0 && atPeer.every((t) => t.revoked_at !== null), "the peer revoked the token it had issued");
      assert.deepEqual(await providers(), []);
      assert.equal(await obtained(provider.sysId), undefined, "the stored token went with the record");
      assert.equal((await browser.get(`/admin/providers/${provider.sysId}`)).status, 404);
    });

    test("a provider that refuses: the page says why (502), and no token is stored", async () => {
      const client = await registerClient(peer.instance, { grant_types: "client_credentials" });
      const record = await followRedirect(browser, await create({ name: "Wrong secret", client_id: client.clientId, client_secret: "not-the-secret", token_url: `${peer.base}/oauth_token.do` }));
      const provider = (await providers()).find((p) => p.name === "Wrong secret")!;
      const refused = await browser.submitForm(record, `/admin/providers/${provider.sysId}/token`);
      assert.equal(refused.status, 502);
      assert.match(refused.html, /Wrong secret did not issue a token: [^<]*invalid_client/);
      assert.equal(await obtained(provider.sysId), undefined);
    });

    test("password grant: user name and password are required (the user name typed is kept), then the token acts as that user", async () => {
      const client = await registerClient(peer.instance, { grant_types: "password,refresh_token" });
      const record = await followRedirect(browser, await create({ name: "Peer password", client_id: client.clientId, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do`, default_grant: "password", credential_style: "body" }));
      const provider = (await providers()).find((p) => p.name === "Peer password")!;
      const action = `/admin/providers/${provider.sysId}/token`;
      const missing = await browser.submitForm(record, action, { username: "", password: "" });
      assert.equal(missing.status, 400);
      assert.ok(fieldError(missing, "username") && fieldError(missing, "password"));
      assert.equal(await obtained(provider.sysId), undefined);
      const noPassword = await browser.submitForm(record, action, { username: "svc.typed", password: "" });
      assert.equal(noPassword.status, 400);
      assert.equal(new Map(noPassword.formAt(action)).get("username"), "svc.typed", "the user name typed is kept; only the missing password is asked for");
      const refused = await browser.submitForm(record, action, { username: "svc.typed", password: "not the password" });
      assert.equal(refused.status, 502);
      assert.equal(new Map(refused.formAt(action)).get("username"), "svc.typed", "kept when the provider says no, too");
      assert.ok(!refused.html.includes("not the password"), "a password never goes back into a page");
      const got = await followRedirect(browser, await browser.submitForm(record, action, { username: "admin", password: adminPassword }));
      assert.match(got.html, /data-token-status="healthy"/);
      assert.deepEqual(await obtained(provider.sysId), { status: "healthy", grant_type: "password" });
    });

    test("Authorization Code: Get OAuth Token sends the admin to the provider with PKCE and this instance's redirect URL", async () => {
      const client = await registerClient(peer.instance, { grant_types: "authorization_code", redirect_url: `${consumer.base}/oauth_redirect.do` });
      const record = await followRedirect(browser, await create({ name: "Peer code", client_id: client.clientId, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do`, authorization_url: `${peer.base}/oauth_auth.do`, default_grant: "authorization_code" }));
      const provider = (await providers()).find((p) => p.name === "Peer code")!;
      const link = new RegExp(`href="(/api/portcullis/connections/${provider.sysId}/authorize)"`).exec(record.html)?.[1];
      assert.ok(link, "the button is a link to the browser flow");
      const started = await browser.get(link);
      assert.equal(started.status, 303);
      const target = new URL(started.location!);
      assert.equal(`${target.origin}${target.pathname}`, `${peer.base}/oauth_auth.do`);
      assert.equal(target.searchParams.get("redirect_uri"), `${consumer.base}/oauth_redirect.do`);
      assert.equal(target.searchParams.get("code_challenge_method"), "S256");
    });

    test("Edit: the form holds the record (never the secret); bad input changes nothing; a new client ID drops the token, revoked at the old provider", async () => {
      const { client, provider, edit } = await connectedThroughForm("Peer edit");
      assert.match((await browser.get(`/admin/providers/${provider.sysId}`)).html, new RegExp(`href="${edit}"`), "the record links to its edit form");

      const form = await browser.get(edit);
      assert.equal(form.status, 200);
      assert.match(form.html, /id="name"[^>]*value="Peer edit"/);
      assert.match(form.html, new RegExp(`id="token_url"[^>]*value="${peer.base}/oauth_token.do"`));
      assert.match(form.html, /<option value="client_credentials" selected/);
      assert.ok(!form.html.includes(client.secret), "the secret is never put in the page");
      assert.match(form.html, new RegExp(`<a class="btn btn-quiet" href="/admin/providers/${provider.sysId}">Cancel</a>`), "Cancel leads back to the record, unsaved");

      const refused = await browser.submitForm(form, edit, { token_url: "not a url", client_secret: "typed-new-secret" });
      assert.equal(refused.status, 400);
      assert.ok(fieldError(refused, "token_url"));
      assert.match(refused.html, /id="token_url"[^>]*value="not a url"/, "what was typed comes back");
      assert.ok(!refused.html.includes("typed-new-secret"));
      const forged = await browser.post(edit, new URLSearchParams({ name: "Forged", client_id: "f", token_url: `${peer.base}/oauth_token.do` }));
      assert.equal(forged.status, 403);
      assert.deepEqual((await providers()).find((p) => p.sysId === provider.sysId), provider, "nothing changed");

      const scoped = await followRedirect(browser, await browser.submitForm(form, edit, { scope: "useraccount" }));
      assert.match(scoped.html, /Updated “Peer edit”\./);
      assert.match(scoped.html, /data-token-status="healthy"/, "an empty secret field kept the secret, and the token stays");
      assert.equal((await obtained(provider.sysId))?.status, "healthy");

      const next = await registerClient(peer.instance, { grant_types: "client_credentials" });
      const moved = await followRedirect(browser, await browser.submitForm(await browser.get(edit), edit, { client_id: next.clientId, client_secret: next.secret }));
      assert.match(moved.html, /The token held was dropped[^<]*It was revoked at the old provider\./);
      assert.match(moved.html, /No token yet/);
      assert.equal(await obtained(provider.sysId), undefined);
      const atPeer = await peer.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("client", "=", client.sysId).execute();
      assert.ok(atPeer.length > 0 && atPeer.every((t) => t.revoked_at !== null), "the old client's token was revoked at the peer");
      const got = await followRedirect(browser, await browser.submitForm(moved, `/admin/providers/${provider.sysId}/token`));
      assert.match(got.html, /data-token-status="healthy"/, "the new client and secret get a token");
    });
  
    test("Edit: a token or revocation URL on another server without the secret typed again is refused at the secret field; http beyond loopback needs Allow http URLs", async () => {
      const { provider, edit } = await connectedThroughForm("Peer moves");
      const elsewhere = peer.base.replace("127.0.0.1", "localhost");
      const form = await browser.get(edit);
      assert.match(form.html, /<input type="checkbox" id="allow_http" name="allow_http" value="true"/);
      const refused = await browser.submitForm(form, edit, { token_url: `${elsewhere}/oauth_token.do` });
      assert.equal(refused.status, 400);
      assert.equal(fieldError(refused, "client_secret"), `must be entered again in the same edit: ${new URL(elsewhere).origin} is a server the stored secret was not entered for, and the secret is sent to the token and revocation URLs`);
      assert.match(refused.html, new RegExp(`id="token_url"[^>]*value="${elsewhere}/oauth_token.do"`), "what was typed comes back");
      const korean = await browser.submitForm(form, edit, { token_url: `${elsewhere}/oauth_token.do` }, { "accept-language": "ko" });
      assert.ok(fieldError(korean, "client_secret")?.startsWith("같은 편집에서 다시 입력해야 합니다"), "in the reader's language");
      assert.deepEqual((await providers()).find((p) => p.sysId === provider.sysId), provider, "nothing changed");
      assert.equal((await obtained(provider.sysId))?.status, "healthy");

      const plain = await browser.submitForm(form, edit, { revocation_url: "http://peer.example/oauth_revoke_token.do", client_secret: "typed-again" });
      assert.equal(plain.status, 400);
      assert.match(fieldError(plain, "revocation_url") ?? "", /uses http; only https is allowed except for loopback hosts/);
      assert.deepEqual((await providers()).find((p) => p.sysId === provider.sysId), provider, "nothing changed");
      const allowed = await followRedirect(browser, await browser.submitForm(form, edit, { revocation_url: "http://peer.example/oauth_revoke_token.do", client_secret: "typed-again", allow_http: "true" }));
      assert.match(allowed.html, /Updated “Peer moves”\./);
      assert.equal((await providers()).find((p) => p.sysId === provider.sysId)?.allowHttp, true);
      assert.match((await browser.get(edit)).html, /id="allow_http" name="allow_http" value="true" checked/);
    });

    test("Edit over a version someone saved since: refused (409) before anything is revoked, with who and what differs; saving again applies it", async () => {
      const { client, provider, edit } = await connectedThroughForm("Peer race");
      const opened = await browser.get(edit);
      const theirs = await updateProvider(consumer.instance.store.db, instanceSecretBox(consumer.instance), provider.sysId, { scope: "useraccount" }, "alice");
      const next = await registerClient(peer.instance, { grant_types: "client_credentials" });
      const refused = await browser.submitForm(opened, edit, { client_id: next.clientId, client_secret: next.secret });
      assert.equal(refused.status, 409);
      assert.match(refused.html, new RegExp(`alice saved it at ${translator("en").dateTime(theirs.provider.updatedOn)}\\.`));
      assert.match(refused.html, /<a href="#scope">[^<]+<\/a>: useraccount/);
      assert.match(refused.html, new RegExp(`<a href="#client_id">[^<]+</a>: ${client.clientId}`));
      assert.match(refused.html, new RegExp(`id="client_id"[^>]*value="${next.clientId}"`), "what was typed stays");
      assert.ok(!refused.html.includes(next.secret), "but never the secret");
      assert.equal(fieldError(refused, "client_secret"), "Type the new secret again: a secret is never put back into the page.");
      assert.deepEqual((await providers()).find((p) => p.sysId === provider.sysId), theirs.provider, "nothing changed");
      assert.equal((await obtained(provider.sysId))?.status, "healthy", "the token is kept");
      const atPeer = await peer.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("client", "=", client.sysId).execute();
      assert.ok(atPeer.length > 0 && atPeer.every((t) => t.revoked_at === null), "and nothing was revoked at the peer");
      const moved = await followRedirect(browser, await browser.submitForm(refused, edit, { client_secret: next.secret }));
      assert.match(moved.html, /The token held was dropped[^<]*It was revoked at the old provider\./);
      const stored = (await providers()).find((p) => p.sysId === provider.sysId)!;
      assert.deepEqual([stored.clientId, stored.scope, stored.modCount], [next.clientId, "", theirs.provider.modCount + 1], "the form's values, scope included, were applied");
    });
  });
}
