import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { findClient, updateClient } from "../../src/store/oauth-entity-store.ts";
import { sha256 } from "../../src/domain/secrets.ts";
import { tokenLookupKey } from "../../src/domain/token-value.ts";
import { browserSuiteSkip, launchChromium, saveScreenshot } from "../support/chromium.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/** The seed procedure's three endpoints, with its redirect URL lists (production, development, test). */
const prod = "https://prod-instance.service-now.com/oauth_redirect.do";
const dev = "https://dev-instance.service-now.com/oauth_redirect.do";
const testUrl = "https://test-instance.service-now.com/oauth_redirect.do";
const seedEndpoints: [string, string[]][] = [
  ["Pipeline Controller Client", [prod, dev, testUrl]],
  ["Pipeline Development Client", [prod, dev]],
  ["Pipeline Test Client", [prod, testUrl]],
];

describe("admin UI in Debian's chromium (playwright-core)", { skip: browserSuiteSkip() }, () => {
  let server: TestInstance;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    // A CSP violation or a script error would mean the strict policy broke a page. Failed loads
    // are expected here: the no-JavaScript test blocks admin.js, and a 400 page is a form error.
    page.on("console", (message) => void (message.type() === "error" && !message.text().startsWith("Failed to load resource") && problems.push(message.text())));
    page.on("pageerror", (error) => void problems.push(error.message));
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  async function shot(name: string): Promise<void> {
    await saveScreenshot(page, name);
  }

  async function navigate(label: string): Promise<void> {
    await page.getByRole("navigation", { name: "Navigator" }).getByRole("link", { name: label }).click();
    await page.waitForLoadState("domcontentloaded");
  }

  test("sign in at /", async () => {
    await page.goto(server.base + "/");
    await shot("01-sign-in.png");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.base}/admin`);
    await assert.doesNotReject(page.getByRole("heading", { name: "Overview" }).waitFor());
    await shot("02-overview.png");
  });

  test("create the seed's three endpoints through the form: New, the interceptor, unlock, enter the URLs, lock, Submit", async () => {
    for (const [index, [name, urls]] of seedEndpoints.entries()) {
      await navigate("Application Registry");
      await page.getByRole("link", { name: "New", exact: true }).click();
      if (index === 0) await shot("03-interceptor.png");
      await page.getByRole("link", { name: /Create an OAuth API endpoint for external clients/ }).click();
      await page.getByLabel("Name").fill(name);

      const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
      await page.getByRole("button", { name: "Unlock" }).click();
      for (const [row, url] of urls.entries()) {
        if (row > 0) await page.getByRole("button", { name: "Add a row" }).click();
        await page.getByLabel(`Redirect URL ${row + 1}`, { exact: true }).fill(url);
      }
      if (index === 0) await shot("04-registry-form-unlocked.png");
      await page.getByRole("button", { name: "Lock" }).click();
      assert.equal(await page.evaluate(() => (window as unknown as { marker: number }).marker), marker, "with JavaScript the toggle does not reload the page");
      assert.equal(await page.locator("[data-locked-view]").textContent(), urls.join(", "));
      if (index === 0) {
        await page.getByLabel("Comments").fill("Controller (production) instance of the pipeline");
        await shot("05-registry-form-locked.png");
      }
      await page.getByRole("button", { name: "Submit" }).click();
      await page.getByText(`Created “${name}”.`).waitFor();
      const secret = await page.getByLabel("Client secret").inputValue();
      const stored = (await findClient(server.instance.store.db, name))!;
      assert.deepEqual(stored.redirectUrls, urls);
      assert.equal(stored.clientSecretHash, sha256(secret));
      assert.equal(await page.getByRole("button", { name: "Copy" }).isVisible(), true, "the copy button appears when JavaScript runs");
      if (index === 0) await shot("06-record-secret-once.png");
      await page.reload();
      assert.equal(await page.getByLabel("Client secret").getAttribute("type"), "password", "after one view the secret is masked");
      assert.notEqual(await page.getByLabel("Client secret").inputValue(), secret);
    }
    await navigate("Application Registry");
    for (const [name, urls] of seedEndpoints) {
      const row = page.getByRole("row").filter({ hasText: name });
      assert.match((await row.textContent()) ?? "", new RegExp(urls.join(", ").replace(/[.]/g, "\\.")));
    }
    await shot("07-registry-list.png");
  });

  test("lock and unlock work without JavaScript, keeping what was typed", async () => {
    await page.route("**/assets/admin.js", (route) => route.abort());
    try {
      await page.goto(`${server.base}/admin/registry/new/client`);
      await page.getByLabel("Name").fill("No Script Client");
      await page.getByRole("button", { name: "Unlock" }).click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await page.getByLabel("Name").inputValue(), "No Script Client", "the server rendered the form again with the typed name");
      await page.getByLabel("Redirect URL 1", { exact: true }).fill(prod);
      await page.getByRole("button", { name: "Add a row" }).click();
      await page.getByLabel("Redirect URL 2", { exact: true }).fill(testUrl);
      await page.getByRole("button", { name: "Lock" }).click();
      await page.waitForLoadState("domcontentloaded");
      assert.equal(await page.locator("[data-locked-view]").textContent(), `${prod}, ${testUrl}`);
      await page.getByLabel("Name").fill("");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.getByText("Nothing was saved.").waitFor();
      assert.equal(await page.locator("#name-error").textContent(), "is mandatory");
      await shot("08-registry-form-error.png");
      assert.equal(await findClient(server.instance.store.db, "No Script Client"), undefined);
    } finally {
      await page.unroute("**/assets/admin.js");
    }
  });

  test("regenerate a secret after confirming", async () => {
    const before = (await findClient(server.instance.store.db, "Pipeline Test Client"))!;
    await navigate("Application Registry");
    await page.getByRole("link", { name: "Pipeline Test Client" }).click();
    await page.getByRole("link", { name: "Regenerate" }).click();
    await page.getByRole("heading", { name: "Regenerate the client secret?" }).waitFor();
    await shot("09-regenerate-confirm.png");
    await page.getByRole("button", { name: "Regenerate secret" }).click();
    await page.getByText("A new client secret was generated").waitFor();
    const secret = await page.getByLabel("Client secret").inputValue();
    const after = (await findClient(server.instance.store.db, "Pipeline Test Client"))!;
    assert.notEqual(after.clientSecretHash, before.clientSecretHash);
    assert.equal(after.clientSecretHash, sha256(secret));
  });

  test("two admins at once: a save over a version saved since is refused with the notice focused; saving again applies it", async () => {
    await navigate("Application Registry");
    await page.getByRole("link", { name: "Pipeline Development Client" }).click();
    await page.getByLabel("Comments").fill("Development instance, refreshed weekly");
    await updateClient(server.instance.store.db, "Pipeline Development Client", { comments: "Saved by alice meanwhile" }, "alice");
    await page.getByRole("button", { name: "Update", exact: true }).click();
    await page.getByText("Not saved: this record changed after you opened it").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "edit-conflict", "the notice is what a screen reader hears first");
    assert.equal(await page.getByLabel("Comments").inputValue(), "Development instance, refreshed weekly", "what was typed stays");
    await shot("09b-edit-conflict.png");
    assert.equal((await findClient(server.instance.store.db, "Pipeline Development Client"))!.comments, "Saved by alice meanwhile");
    await page.getByRole("button", { name: "Update", exact: true }).click();
    await page.getByText("Updated “Pipeline Development Client”").waitFor();
    assert.equal((await findClient(server.instance.store.db, "Pipeline Development Client"))!.comments, "Development instance, refreshed weekly");
  });

  test("revoke a token in Manage Tokens", async () => {
    const client = await registerClient(server.instance, { name: "Integration Script", grant_types: "password,refresh_token" });
    const grant = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(grant.status, 200);
    await navigate("Manage Tokens");
    const html = await page.content();
    assert.ok(!html.includes(grant.body.access_token) && !html.includes(tokenLookupKey(grant.body.access_token)));
    await shot("10-tokens.png");
    await page.getByRole("row").filter({ hasText: "Access" }).filter({ hasText: "Integration Script" }).getByRole("link", { name: /Revoke/ }).click();
    await page.getByRole("heading", { name: "Revoke this token?" }).waitFor();
    await shot("10b-token-revoke-confirm.png");
    await page.getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("The token was revoked.").waitFor();
    const introspection = await postForm(`${server.base}/oauth_introspect`, { token: grant.body.access_token }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(introspection.body.active, false);
  });

  test("create a user and grant a role", async () => {
    await navigate("Users");
    await page.getByRole("textbox", { name: "User name", exact: true }).fill("pipeline.admin");
    await page.getByLabel("Name", { exact: true }).fill("Pipeline Administrator");
    await page.getByLabel("Password").fill("a long password");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("Created user “pipeline.admin”.").waitFor();
    await page.getByLabel("Grant a role").fill("admin");
    await page.getByRole("button", { name: "Grant" }).click();
    await page.getByText("Granted the role admin").waitFor();
    await shot("11-user.png");
    await navigate("Users");
    await shot("12-users.png");
    await navigate("Roles");
    await shot("13-roles.png");
  });

  test("see the audit, overall and per record", async () => {
    await navigate("Audit");
    await page.getByRole("link", { name: "Pipeline Controller Client" }).first().waitFor();
    await shot("14-audit.png");
    await page.getByRole("link", { name: "Pipeline Test Client" }).first().click();
    await page.getByRole("heading", { name: "History of Pipeline Test Client" }).waitFor();
    assert.match((await page.locator("main").textContent()) ?? "", /Client secret: \(regenerated\)/);
    await shot("15-audit-record.png");
    // These endpoints redirect to instances this one does not know yet (no provider record, no
    // run): they stay clients, off the graph (browser-pipeline.test.ts draws a known pipeline).
    await navigate("Pipeline");
    await page.getByText("No other instance yet", { exact: false }).waitFor();
    assert.equal(await page.locator("svg.trust-graph-wide").count(), 0);
  });

  test("connect to a third-party OAuth provider (a second instance) and get a token", async (t) => {
    // Client IDs are unique across an instance's records of both kinds, so the provider is another instance.
    const peer = await startTestInstance(dialectsUnderTest()[0]!);
    t.after(() => peer.close());
    const peerClient = await registerClient(peer.instance, { name: "Loopback provider client", grant_types: "client_credentials" });
    await navigate("Application Registry");
    await page.getByRole("link", { name: "New", exact: true }).click();
    await page.getByRole("link", { name: /Connect to a third-party OAuth Provider/ }).click();
    await page.getByLabel("Name").fill("Loopback provider");
    await page.getByLabel("Client ID").fill(peerClient.clientId);
    await page.getByLabel("Client secret").fill(peerClient.secret);
    await page.getByLabel("Token URL").fill(`${peer.base}/oauth_token.do`);
    await page.getByLabel("Default grant type").selectOption("client_credentials");
    await shot("19-provider-form.png");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Created “Loopback provider”.", { exact: false }).waitFor();
    await page.getByRole("button", { name: "Get OAuth Token" }).click();
    await page.getByText("Got a token from “Loopback provider”.").waitFor();
    assert.equal(await page.locator("[data-token-status]").getAttribute("data-token-status"), "healthy");
    await shot("20-provider-record.png");
    // Edit: the form comes filled in, the secret field empty (kept); a scope change keeps the token.
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    assert.equal(await page.getByLabel("Token URL").inputValue(), `${peer.base}/oauth_token.do`);
    assert.equal(await page.getByLabel("Client secret").inputValue(), "");
    await page.getByLabel("Scope").fill("useraccount");
    await page.getByRole("button", { name: "Update" }).click();
    await page.getByText("Updated “Loopback provider”.").waitFor();
    assert.equal(await page.locator("[data-token-status]").getAttribute("data-token-status"), "healthy");
  });

  test("on a phone-sized screen (390 px) the pages still fit", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ["/admin/registry", "16-phone-registry-list.png"],
      [`/admin/registry/${(await findClient(server.instance.store.db, "Pipeline Controller Client"))!.sysId}`, "17-phone-registry-form.png"],
      ["/admin/tokens", "18-phone-tokens.png"],
      [`/admin/providers/${(await server.instance.store.db.selectFrom("oauth_entity").select("sys_id").where("name", "=", "Loopback provider").executeTakeFirstOrThrow()).sys_id}`, "21-phone-provider.png"],
    ] as const) {
      await page.goto(server.base + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px`);
      await shot(name);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("sign out", async () => {
    await page.goto(`${server.base}/admin`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You have signed out.").waitFor();
    await page.goto(`${server.base}/admin/registry`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.deepEqual(problems, [], "no console errors or CSP violations on any page");
  });
});
