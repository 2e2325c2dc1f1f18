import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { sha256 } from "../../src/domain/secrets.ts";
import { tokenLookupKey } from "../../src/domain/token-value.ts";
import { registerClient } from "../support/oauth.ts";
import { findClientBySysId, listClients } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { browserSuiteSkip, launchChromium } from "../support/chromium.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * A slow link in front of the real server: every answer to a POST is held back, so a second
 * press of a button lands while the first save is still on its way, as on a slow connection.
 */
async function slowLink(target: string, holdMs: number): Promise<{ base: string; posts: () => number; close: () => Promise<void> }> {
  let posts = 0;
  const server = http.createServer((request, response) => {
    if (request.method === "POST") posts++;
    const upstream = http.request(new URL(request.url!, target), { method: request.method, headers: request.headers }, (answer) => {
      setTimeout(() => {
        response.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(response);
      }, request.method === "POST" ? holdMs : 0);
    });
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts: () => posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("admin forms in chromium: second presses, lock and unlock", { skip: browserSuiteSkip() }, () => {
  let server: TestInstance;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  /** Signs in at `base`: the slow link is another origin to the browser, so it needs a session of its own. */
  async function signInThrough(base: string): Promise<void> {
    await context.clearCookies();
    await page.goto(`${base}/`);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/admin`);
  }

  test("unlocking a record's Redirect URLs labels every row, and a lock after an empty middle row leaves no id twice", async () => {
    const urls = ["https://one.example/oauth_redirect.do", "https://two.example/oauth_redirect.do"];
    const client = await registerClient(server.instance, { name: "Two URLs", redirect_url: urls });
    await signInThrough(server.base);
    await page.goto(`${server.base}/admin/registry/${client.sysId}`);
    await page.getByRole("button", { name: "Unlock" }).click();
    // The stored URLs were hidden inputs the script turned into text fields: each needs its label.
    assert.equal(await page.getByLabel("Redirect URL 1", { exact: true }).inputValue(), urls[0]);
    assert.equal(await page.getByLabel("Redirect URL 2", { exact: true }).inputValue(), urls[1]);
    await page.getByRole("button", { name: "Add a row" }).click();
    await page.getByLabel("Redirect URL 4", { exact: true }).fill("https://four.example/oauth_redirect.do");
    await page.getByRole("button", { name: "Lock" }).click();
    await page.getByRole("button", { name: "Unlock" }).click();
    const rows = await page.locator("input[name=redirect_url]").evaluateAll((inputs) => inputs.map((input) => ({ id: input.id, labels: [...((input as HTMLInputElement).labels ?? [])].map((l) => l.textContent) })));
    assert.deepEqual(rows, [1, 2, 3, 4].map((n) => ({ id: `redirect_url_${n - 1}`, labels: [`Redirect URL ${n}`] })));
  });

  test("a session that ends while the admin types: after signing in again the form is back with what was typed", async () => {
    await signInThrough(server.base);
    await page.goto(`${server.base}/admin/registry/new/client`);
    await page.getByLabel("Name").fill("Typed Before Expiry");
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByLabel("Redirect URL 1", { exact: true }).fill("https://typed.example/oauth_redirect.do");
    await page.getByLabel("Comments").fill("Ten minutes of typing");
    await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).execute();
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Your session ended before this was saved").waitFor();
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByLabel("Password").press("Enter");
    // admin.js sends the kept fields back to the form at once: no extra press.
    await page.getByText("the form holds what you typed").waitFor();
    assert.equal(await page.getByLabel("Name").inputValue(), "Typed Before Expiry");
    assert.equal(await page.getByLabel("Comments").inputValue(), "Ten minutes of typing");
    assert.deepEqual(await page.locator("input[name=redirect_url]").evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value).filter(Boolean)), ["https://typed.example/oauth_redirect.do"]);
    assert.equal((await listClients(server.instance.store.db)).filter((c) => c.name === "Typed Before Expiry").length, 0, "nothing saved yet");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Created “Typed Before Expiry”.").waitFor();
  });

  test("the same for a new user: the fields come back but the password, and the user is created only when sent again", async () => {
    await signInThrough(server.base);
    await page.goto(`${server.base}/admin/users`);
    await page.getByRole("textbox", { name: "User name", exact: true }).fill("typed.before.expiry");
    await page.getByLabel("Email", { exact: true }).fill("typed@example.test");
    await page.getByLabel("Password").fill("typed password 9");
    await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).execute();
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("Your session ended before this was saved").waitFor();
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByLabel("Password").press("Enter");
    await page.getByText("the form holds what you typed").waitFor();
    assert.equal(await page.getByRole("textbox", { name: "User name", exact: true }).inputValue(), "typed.before.expiry");
    assert.equal(await page.getByLabel("Email", { exact: true }).inputValue(), "typed@example.test");
    assert.equal(await page.getByLabel("Password").inputValue(), "", "a password is typed again");
    assert.equal(await findUserByName(server.instance.store.db, "typed.before.expiry"), undefined, "nothing saved yet");
    await page.getByLabel("Password").fill("typed password 9");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("Created user “typed.before.expiry”.").waitFor();
  });

  test("a button pressed after the session ended: signing in again shows its page again, and nothing was done", async () => {
    const registered = await registerClient(server.instance, { name: "Revoked After Expiry", grant_types: "client_credentials" });
    const client = (await findClientBySysId(server.instance.store.db, registered.sysId))!;
    const { accessToken } = await issueTokens(server.instance.store.db, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test");
    await signInThrough(server.base);
    await page.goto(`${server.base}/admin/tokens?client=${client.sysId}`);
    await page.getByRole("link", { name: /^Revoke access token of Revoked After Expiry/ }).click();
    const confirmation = page.url();
    await server.instance.store.db.updateTable("login_session").set({ expires_at: Date.now() - 1000 }).execute();
    await page.getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("Your session has ended").waitFor();
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL(confirmation);
    await page.getByRole("heading", { name: "Revoke this token?" }).waitFor();
    const row = await server.instance.store.db.selectFrom("oauth_credential").select("revoked_at").where("token_hash", "=", tokenLookupKey(accessToken)).executeTakeFirstOrThrow();
    assert.equal(row.revoked_at, null, "not revoked unseen");
  });

  test("a double click on Submit creates the endpoint once and still shows its secret", async (t) => {
    const link = await slowLink(server.base, 1500);
    t.after(() => link.close());
    await signInThrough(link.base);
    await page.goto(`${link.base}/admin/registry/new/client`);
    await page.getByLabel("Name").fill("Pressed Twice");
    const submit = page.getByRole("button", { name: "Submit" });
    await submit.scrollIntoViewIfNeeded();
    const box = (await submit.boundingBox())!;
    const postsBefore = link.posts();
    // Mouse presses, not locator clicks: a locator click waits for the navigation the first one started.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(300);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    // Without the guard the second answer wins: "already exists", and the secret is never seen.
    await page.locator("main .alert").first().waitFor();
    assert.equal(await page.locator("main .alert").first().textContent(), "Created “Pressed Twice”.");
    assert.equal(link.posts() - postsBefore, 1, "the second press sent nothing");
    const created = (await listClients(server.instance.store.db)).filter((c) => c.name === "Pressed Twice");
    assert.equal(created.length, 1);
    assert.equal(sha256(await page.getByLabel("Client secret").inputValue()), created[0]!.clientSecretHash, "the secret shown once is the one stored");
  });
});
