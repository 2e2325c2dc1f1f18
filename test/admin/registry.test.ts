import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sha256 } from "../../src/domain/secrets.ts";
import { findClient, updateClient } from "../../src/store/oauth-entity-store.ts";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { translator } from "../../src/i18n/translator.ts";
import { fieldError, followRedirect, signIn } from "../support/admin.ts";
import { FormBrowser, type Page } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const newForm = "/admin/registry/new/client";
const prod = "https://prod.example.com/oauth_redirect.do";
const dev = "https://dev.example.com/oauth_redirect.do";
const testInstance = "https://test.example.com/oauth_redirect.do";

for (const dialect of dialectsUnderTest()) {
  describe(`Application Registry form on ${dialect.name}`, () => {
    let server: TestInstance;
    let browser: FormBrowser;
    before(async () => {
      server = await startTestInstance(dialect);
      browser = await signIn(server.base);
    });
    after(() => server.close());

    /** The seed's steps without JavaScript: unlock, enter each URL (adding rows), lock, submit. */
    async function createThroughForm(name: string, urls: string[]): Promise<Page> {
      const interceptor = await browser.get("/admin/registry/new");
      assert.match(interceptor.html, /Create an OAuth API endpoint for external clients/);
      assert.match(interceptor.html, /Connect to a third-party OAuth Provider[\s\S]*<code>npx portcullis provider create<\/code>/);
      assert.doesNotMatch(interceptor.html, /`/, "the catalog's commands are code elements, not literal backticks");
      let form = await browser.get(newForm);
      form = await browser.submitForm(form, newForm, { name, _action: "unlock" });
      for (const [index, url] of urls.entries()) {
        const rows = form.formAt(newForm).filter(([n]) => n === "redirect_url").map(([, v]) => v);
        assert.deepEqual(rows, [...urls.slice(0, index), ""], "the rows entered so far are kept, with one empty row after them");
        // Type into the empty row, as a person would.
        form = await browser.submitForm(form, newForm, { redirect_url: [...rows.slice(0, -1), url], _action: index < urls.length - 1 ? "add_row" : "lock" });
      }
      assert.match(form.html, new RegExp(`data-locked-view[^>]*>${urls.join(", ").replace(/[.?]/g, "\\$&")}</p>`), "locked, the field shows the comma-and-space joined list");
      return followRedirect(browser, await browser.submitForm(form, newForm));
    }

    test("creates the seed's three endpoints through the form, each secret shown once and then masked", async () => {
      const seeds: [string, string[]][] = [
        ["Pipeline Controller Client", [prod, dev, testInstance]],
        ["Pipeline Development Client", [prod, dev]],
        ["Pipeline Test Client", [prod, testInstance]],
      ];
      for (const [name, urls] of seeds) {
        const record = await createThroughForm(name, urls);
        assert.equal(record.status, 200);
        assert.match(record.html, new RegExp(`Created “${name}”`));
        const secret = /id="client_secret" readonly value="([A-Za-z0-9_-]{43})"/.exec(record.html)?.[1];
        assert.ok(secret, "the new secret is shown after submit");
        const stored = (await findClient(server.instance.store.db, name))!;
        assert.deepEqual(stored.redirectUrls, urls);
        assert.equal(stored.clientSecretHash, sha256(secret));
        assert.match(record.html, new RegExp(`id="client_id" readonly value="${stored.clientId}"`));
        const again = await browser.get(`/admin/registry/${stored.sysId}`);
        assert.doesNotMatch(again.html, new RegExp(secret), "the secret is shown only once");
        assert.match(again.html, /type="password" id="client_secret" readonly value="•+"/);
      }
      const list = await browser.get("/admin/registry");
      assert.match(list.html, /3 records/);
      assert.ok(list.html.replace(/<[^>]+>/g, "").includes(`${prod}, ${dev}, ${testInstance}`), "the list shows the comma-and-space joined URLs");
    });

    test("the lock toggle re-renders the form with everything typed kept, without saving", async () => {
      const before = await tableCounts(server.instance.store);
      const form = await browser.get(newForm);
      const typed = { name: "Kept Name", access_token_lifespan: "900", comments: "kept <comment> & more", grant_types: ["password"], redirect_url: [prod] };
      const unlocked = await browser.submitForm(form, newForm, { ...typed, _action: "unlock" });
      assert.equal(unlocked.status, 200);
      const fields = unlocked.formAt(newForm);
      assert.deepEqual(fields.filter(([n]) => n === "redirect_url").map(([, v]) => v), [prod, ""]);
      assert.ok(fields.some(([n, v]) => n === "name" && v === "Kept Name"));
      assert.ok(fields.some(([n, v]) => n === "access_token_lifespan" && v === "900"));
      assert.deepEqual(fields.filter(([n]) => n === "grant_types").map(([, v]) => v), ["password"]);
      assert.match(unlocked.html, /<textarea[^>]*>kept &lt;comment> &amp; more<\/textarea>/);
      assert.match(unlocked.html, /value="lock"/);
      const locked = await browser.submitForm(unlocked, newForm, { _action: "lock" });
      assert.match(locked.html, /value="unlock"/);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("validation errors appear at their fields, the typed values stay, and nothing is saved", async () => {
      const form = await browser.get(newForm);
      const before = await tableCounts(server.instance.store);
      const res = await browser.submitForm(form, newForm, {
        name: "  ",
        redirect_url: ["http://plain.example/cb", "https://fine.example/cb"],
        access_token_lifespan: "ten",
        logo_url: "ftp://logo",
        grant_types: null,
      });
      assert.equal(res.status, 400);
      assert.match(res.html, /Nothing was saved\./);
      assert.equal(fieldError(res, "name"), "is mandatory");
      assert.match(fieldError(res, "access_token_lifespan") ?? "", /whole number/);
      assert.match(fieldError(res, "logo_url") ?? "", /https URL/);
      assert.match(res.html, /id="name" name="name" value="  " aria-required="true" aria-invalid="true" aria-describedby="name-error"/);
      assert.match(res.html, /value="ten"/);
      // Rules across fields judge the fields that parsed, in the same answer.
      assert.match(fieldError(res, "redirect_url") ?? "", /http:\/\/plain\.example\/cb&quot; uses http/);
      assert.equal(fieldError(res, "grant_types"), "must name at least one grant type");
      assert.deepEqual(res.formAt(newForm).filter(([n]) => n === "redirect_url").map(([, v]) => v), ["http://plain.example/cb", "https://fine.example/cb"]);
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("two problems at one field read as two, at the field and in the summary, in English and in Korean", async () => {
      const urls = ["http://plain.example/cb", "https://fine.example/cb#part"];
      const res = await browser.submitForm(await browser.get(newForm), newForm, { name: "Two Problems", redirect_url: urls });
      assert.equal(res.status, 400);
      const both = "&quot;http://plain.example/cb&quot; uses http; only https is allowed except for loopback hosts (or allow http redirects on the client); &quot;https://fine.example/cb#part&quot; must not contain a fragment (RFC 6749 §3.1.2)";
      assert.equal(fieldError(res, "redirect_url"), both);
      assert.match(res.html, new RegExp(`>Redirect URLs</a>: ${both.replace(/[.?()]/g, "\\$&")}</li>`));
      const korean = await signIn(server.base);
      korean.setCookie(languageCookie, "ko");
      const ko = await korean.submitForm(await korean.get(newForm), newForm, { name: "Two Problems", redirect_url: urls });
      assert.match(fieldError(ko, "redirect_url") ?? "", /허용하세요\)\. &quot;https:\/\/fine\.example\/cb#part&quot;에는/);
    });

    test("a submit shows every problem at once, each at its field: the input's with the unknown user and the name taken, on the new form and the edit form", async () => {
      const form = await browser.get(newForm);
      const before = await tableCounts(server.instance.store);
      const typed = { name: "Pipeline Test Client", redirect_url: ["http://evil.example/cb"], client_credentials_user: "ghost" };
      const unparsed = await browser.submitForm(form, newForm, { ...typed, access_token_lifespan: "10" });
      assert.equal(unparsed.status, 400);
      assert.equal(fieldError(unparsed, "access_token_lifespan"), "must be at least 60");
      assert.match(fieldError(unparsed, "redirect_url") ?? "", /evil\.example\/cb&quot; uses http/);
      // The user and the name are looked up while another field is still wrong: one round, not two.
      assert.equal(fieldError(unparsed, "client_credentials_user"), "no user &quot;ghost&quot;");
      assert.match(fieldError(unparsed, "name") ?? "", /already exists/);
      assert.equal(unparsed.html.match(/class="field-error"/g)?.length, 4);
      const parsed = await browser.submitForm(unparsed, newForm, { ...typed, access_token_lifespan: "600" });
      assert.equal(parsed.status, 400);
      assert.match(fieldError(parsed, "redirect_url") ?? "", /evil\.example\/cb&quot; uses http/);
      assert.equal(fieldError(parsed, "client_credentials_user"), "no user &quot;ghost&quot;");
      assert.match(fieldError(parsed, "name") ?? "", /already exists/);
      assert.equal(parsed.html.match(/class="field-error"/g)?.length, 3);
      assert.deepEqual(await tableCounts(server.instance.store), before);

      const client = (await findClient(server.instance.store.db, "Pipeline Controller Client"))!;
      const path = `/admin/registry/${client.sysId}`;
      const edit = await browser.submitForm(await browser.get(path), path, { ...typed, refresh_token_lifespan: "-1", grant_types: null });
      assert.equal(edit.status, 400);
      assert.match(fieldError(edit, "refresh_token_lifespan") ?? "", /whole number/);
      assert.match(fieldError(edit, "redirect_url") ?? "", /evil\.example\/cb&quot; uses http/);
      assert.equal(fieldError(edit, "grant_types"), "must name at least one grant type");
      assert.equal(fieldError(edit, "client_credentials_user"), "no user &quot;ghost&quot;");
      assert.match(fieldError(edit, "name") ?? "", /already exists/);
      const editParsed = await browser.submitForm(edit, path, { ...typed, refresh_token_lifespan: "0" });
      assert.equal(editParsed.status, 400);
      assert.match(fieldError(editParsed, "redirect_url") ?? "", /evil\.example\/cb&quot; uses http/);
      assert.equal(fieldError(editParsed, "client_credentials_user"), "no user &quot;ghost&quot;");
      assert.match(fieldError(editParsed, "name") ?? "", /already exists/);
      assert.equal((await findClient(server.instance.store.db, client.sysId))!.modCount, client.modCount);
    });

    test("a name already in the registry is an error at the Name field", async () => {
      const form = await browser.get(newForm);
      const res = await browser.submitForm(form, newForm, { name: "Pipeline Test Client" });
      assert.equal(res.status, 400);
      assert.match(fieldError(res, "name") ?? "", /already exists/);
    });

    test("a form with a wrong or missing CSRF token, or sent cross-site, is refused and writes nothing", async () => {
      const form = await browser.get(newForm);
      const before = await tableCounts(server.instance.store);
      for (const [overrides, headers] of [
        [{ name: "Forged", csrf_token: "forged" }, {}],
        [{ name: "Forged", csrf_token: null }, {}],
        [{ name: "Forged" }, { "sec-fetch-site": "cross-site" }],
      ] as const) {
        const res = await browser.submitForm(form, newForm, overrides, headers);
        assert.equal(res.status, 403);
        assert.match(res.html, /nothing was changed/);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("updating a record is audited and shown in its history; deactivating revokes nothing it should keep", async () => {
      const client = (await findClient(server.instance.store.db, "Pipeline Development Client"))!;
      const path = `/admin/registry/${client.sysId}`;
      const record = await browser.get(path);
      const saved = await followRedirect(browser, await browser.submitForm(record, path, { comments: "Dev instance", active: null, refresh_token_lifespan: "0" }));
      assert.match(saved.html, /Updated “Pipeline Development Client”/);
      const stored = (await findClient(server.instance.store.db, client.sysId))!;
      assert.equal(stored.active, false);
      assert.equal(stored.comments, "Dev instance");
      assert.equal(stored.refreshTokenLifespan, 0);
      assert.match(saved.html, /Active: Yes → No/);
      assert.match(saved.html, /Comments: Dev instance/);
      const badUpdate = await browser.submitForm(saved, path, { name: "", refresh_token_lifespan: "-1" });
      assert.equal(badUpdate.status, 400);
      assert.equal(fieldError(badUpdate, "name"), "is mandatory");
      assert.equal((await findClient(server.instance.store.db, client.sysId))!.modCount, stored.modCount);
    });

    test("a save over a version someone saved since is refused (409), shows who and what differs, and saving again applies it", async () => {
      const client = (await findClient(server.instance.store.db, "Pipeline Test Client"))!;
      const path = `/admin/registry/${client.sysId}`;
      const opened = await browser.get(path);
      assert.deepEqual(opened.formAt(path).find(([n]) => n === "sys_mod_count"), ["sys_mod_count", String(client.modCount)]);
      // Typing unlocks the redirect list, which re-renders the form: it keeps the version it was opened at.
      const unlocked = await browser.submitForm(opened, path, { _action: "unlock" });
      const theirs = await updateClient(server.instance.store.db, client.sysId, { comments: "saved by alice meanwhile" }, "alice");
      const refused = await browser.submitForm(unlocked, path, { access_token_lifespan: "900" });
      assert.equal(refused.status, 409);
      assert.match(refused.html, /Not saved: this record changed after you opened it/);
      assert.match(refused.html, new RegExp(`alice saved it at ${translator("en").dateTime(theirs.updatedOn)}\\.`));
      assert.match(refused.html, /<a href="#comments">Comments<\/a>: saved by alice meanwhile/);
      assert.match(refused.html, /<a href="#access_token_lifespan">[^<]+<\/a>: 1800/);
      assert.match(refused.html, /id="access_token_lifespan" name="access_token_lifespan" value="900"/, "what was typed stays in the form");
      assert.deepEqual(await findClient(server.instance.store.db, client.sysId), theirs, "nothing was saved");
      for (const altered of ["abc", " 1", "-1", "1".repeat(20)]) assert.equal((await browser.submitForm(unlocked, path, { sys_mod_count: altered })).status, 409, `an altered version (${altered}) is refused too`);
      // …also after a re-render (the lock toggle), which carries a version no record has.
      const toggled = await browser.submitForm(unlocked, path, { sys_mod_count: "abc", _action: "lock" });
      assert.equal((await browser.submitForm(toggled, path)).status, 409);
      assert.deepEqual(await findClient(server.instance.store.db, client.sysId), theirs);
      // The refused form now edits the version just read: saving it again is a deliberate overwrite.
      const saved = await followRedirect(browser, await browser.submitForm(refused, path));
      assert.match(saved.html, /Updated “Pipeline Test Client”/);
      const stored = (await findClient(server.instance.store.db, client.sysId))!;
      assert.deepEqual([stored.accessTokenLifespan, stored.comments, stored.modCount], [900, client.comments, theirs.modCount + 1]);
    });

    test("Regenerate asks first, then shows the new secret once; the old secret stops working", async () => {
      const client = (await findClient(server.instance.store.db, "Pipeline Controller Client"))!;
      const confirm = await browser.get(`/admin/registry/${client.sysId}/regenerate`);
      assert.match(confirm.html, /Regenerate the client secret\?/);
      assert.equal((await findClient(server.instance.store.db, client.sysId))!.clientSecretHash, client.clientSecretHash, "showing the confirmation changes nothing");
      const record = await followRedirect(browser, await browser.submitForm(confirm, `/admin/registry/${client.sysId}/regenerate`));
      const secret = /id="client_secret" readonly value="([A-Za-z0-9_-]{43})"/.exec(record.html)![1]!;
      assert.equal((await findClient(server.instance.store.db, client.sysId))!.clientSecretHash, sha256(secret));
      assert.match(record.html, /Client secret: \(regenerated\)/);
    });

    test("Delete asks first, then removes the endpoint with its tokens; the client ID stops working", async () => {
      const doomed = await registerClient(server.instance, { name: "Doomed Client", grant_types: "client_credentials" });
      const issued = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(doomed.clientId, doomed.secret) });
      assert.equal(issued.status, 200, issued.text);
      const record = await browser.get(`/admin/registry/${doomed.sysId}`);
      assert.doesNotMatch(record.html, /<form[^>]*action="\/admin\/registry\/[0-9a-f]{32}\/delete"/, "the record's Delete only leads to the confirmation");
      assert.match(record.html, new RegExp(`href="/admin/registry/${doomed.sysId}/delete"`));
      const confirm = await browser.get(`/admin/registry/${doomed.sysId}/delete`);
      assert.match(confirm.html, /<h1>Delete this endpoint\?<\/h1>/);
      assert.ok(await findClient(server.instance.store.db, doomed.sysId), "asking deletes nothing");
      const list = await followRedirect(browser, await browser.submitForm(confirm, `/admin/registry/${doomed.sysId}/delete`));
      assert.match(list.html, /Deleted “Doomed Client”; its tokens and codes went with it\./);
      assert.equal(await findClient(server.instance.store.db, doomed.sysId), undefined);
      const tokens = await server.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", doomed.sysId).execute();
      assert.deepEqual(tokens, [], "the tokens went with the record");
      const whoami = await fetch(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${(issued.body as { access_token: string }).access_token}` } });
      assert.equal(whoami.status, 401, "the token it issued no longer works");
      const refused = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(doomed.clientId, doomed.secret) });
      assert.equal(refused.status, 401);
      assert.equal((await browser.get(`/admin/registry/${doomed.sysId}/delete`)).status, 404);
      const audit = await browser.get(`/admin/audit?table=oauth_entity&record=${doomed.sysId}`);
      assert.match(audit.html, /Doomed Client/);
    });

    test("the list filters by text and sorts by column through query parameters", async () => {
      const filtered = await browser.get("/admin/registry?q=TEST%20client");
      assert.match(filtered.html, /1 record matching “TEST client”/);
      assert.match(filtered.html, /Pipeline Test Client/);
      assert.doesNotMatch(filtered.html, />Pipeline Controller Client</);
      const literal = await browser.get("/admin/registry?q=%25");
      assert.match(literal.html, /0 records/);
      const names = (page: Page) => [...page.html.matchAll(/<td><a href="\/admin\/registry\/[0-9a-f]{32}">([^<]+)<\/a>/g)].map((m) => m[1]);
      assert.deepEqual(names(await browser.get("/admin/registry?sort=name&dir=desc")), ["Pipeline Test Client", "Pipeline Development Client", "Pipeline Controller Client"]);
      assert.deepEqual(names(await browser.get("/admin/registry?sort=name&dir=asc")), ["Pipeline Controller Client", "Pipeline Development Client", "Pipeline Test Client"]);
      assert.deepEqual(names(await browser.get("/admin/registry?sort=active&dir=asc"))[0], "Pipeline Development Client");
      assert.equal((await browser.get("/admin/registry?sort=drop%20table&dir=sideways")).status, 200);
    });

    test("a form sent after its session ended keeps what was typed through signing in again, and saves only when sent again", async () => {
      const own = await signIn(server.base);
      const client = (await findClient(server.instance.store.db, "Pipeline Test Client"))!;
      const record = await own.get(`/admin/registry/${client.sysId}`);
      const csrf = new Map(record.formAt(`/admin/registry/${client.sysId}`)).get("csrf_token")!;
      await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).where("csrf_token", "=", csrf).execute();
      // Signing in again adds a login session; nothing else may change before the form is sent again.
      const counts = async () => ({ ...(await tableCounts(server.instance.store)), login_session: 0 });
      const before = await counts();
      const typed = { comments: "Typed for ten minutes", redirect_url: [prod, "https://typed.example/oauth_redirect.do"] };
      const signInAgain = await own.submitForm(record, `/admin/registry/${client.sysId}`, typed);
      assert.equal(signInAgain.status, 200);
      assert.match(signInAgain.html, /<h1>Sign in<\/h1>[\s\S]*Your session ended before this was saved/);
      assert.doesNotMatch(signInAgain.html, new RegExp(csrf), "the ended session's token is not carried");
      const resume = await own.submitForm(signInAgain, "/login.do", { user_name: "admin", user_password: adminPassword });
      assert.equal(resume.status, 200);
      const restored = await own.submitForm(resume, `/admin/registry/${client.sysId}`);
      assert.equal(restored.status, 200);
      assert.match(restored.html, /the form holds what you typed; nothing was saved yet/);
      const fields = restored.formAt(`/admin/registry/${client.sysId}`);
      assert.equal(new Map(fields).get("comments"), typed.comments);
      assert.deepEqual(fields.filter(([n]) => n === "redirect_url").map(([, v]) => v), typed.redirect_url);
      assert.equal(new Map(fields).get("sys_mod_count"), String(client.modCount), "still the version the admin was editing, so a save made meanwhile is not overwritten");
      assert.deepEqual(await counts(), before, "nothing saved along the way");
      await followRedirect(own, await own.submitForm(restored, `/admin/registry/${client.sysId}`));
      assert.equal((await findClient(server.instance.store.db, "Pipeline Test Client"))!.comments, typed.comments);
    });

    test("a form sent cross-site without a session is not carried through signing in", async () => {
      const stranger = new FormBrowser(server.base);
      const res = await stranger.post(newForm, new URLSearchParams({ name: "Planted" }), { "sec-fetch-site": "cross-site" });
      assert.equal(res.status, 303);
      assert.equal(res.location, "/?next=%2Fadmin");
    });

    test("a long list comes a hundred to a page, each page keeping the filter and the sort", async () => {
      for (let n = 1; n <= 230; n++) await registerClient(server.instance, { name: `Paged ${String(n).padStart(3, "0")}` });
      const names = (page: Page) => [...page.html.matchAll(/<td><a href="\/admin\/registry\/[0-9a-f]{32}">([^<]+)<\/a>/g)].map((m) => m[1]);
      const next = (page: Page) => /<a class="btn btn-small" rel="next" href="([^"]+)"/.exec(page.html)?.[1]?.replace(/&amp;/g, "&");
      let page = await browser.get("/admin/registry?q=paged&sort=name&dir=desc");
      assert.match(page.html, /230 records matching “paged”/);
      assert.match(page.html, /<nav class="pager" aria-label="Pages"><span>Records 1–100 of 230<\/span>/);
      assert.deepEqual([names(page).length, names(page)[0]], [100, "Paged 230"]);
      const seen = [...names(page)];
      for (const range of ["101–200", "201–230"]) {
        const link = next(page)!;
        assert.deepEqual(Object.fromEntries(new URL(link, server.base).searchParams), { q: "paged", sort: "name", dir: "desc", page: String(seen.length / 100 + 1) });
        page = await browser.get(link);
        assert.match(page.html, new RegExp(`Records ${range} of 230`));
        seen.push(...names(page));
      }
      assert.equal(next(page), undefined, "the last page has no next");
      assert.match(page.html, /rel="prev"/);
      assert.deepEqual(seen, Array.from({ length: 230 }, (_, i) => `Paged ${String(230 - i).padStart(3, "0")}`), "every record once, in order");
      assert.deepEqual(names(await browser.get("/admin/registry?q=paged&sort=name&dir=desc&page=99")), seen.slice(200), "past the end is the last page");
      assert.doesNotMatch((await browser.get("/admin/registry?q=Paged%20001")).html, /class="pager"/, "one page needs no pager");
    });

    test("an unknown record is a 404 page", async () => {
      assert.equal((await browser.get(`/admin/registry/${"0".repeat(32)}`)).status, 404);
      assert.equal((await browser.get("/admin/registry/not-a-sys-id")).status, 404);
    });

    test("a client created through the form gets tokens with the secret it was shown", async () => {
      const form = await browser.get(newForm);
      const record = await followRedirect(browser, await browser.submitForm(form, newForm, { name: "Machine Client", grant_types: ["client_credentials"] }));
      const secret = /id="client_secret" readonly value="([A-Za-z0-9_-]{43})"/.exec(record.html)![1]!;
      const clientId = /id="client_id" readonly value="([0-9a-f]{32})"/.exec(record.html)![1]!;
      const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(clientId, secret) });
      assert.equal(res.status, 200, res.text);
    });
  });
}
