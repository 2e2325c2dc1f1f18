import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { browserSuiteSkip, launchChromium } from "../support/chromium.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * A client's site on another origin (another port of the loopback): its redirect endpoint /cb
 * answers what it was sent; /hop sends the browser on to `next`, as a client behind a gateway or
 * a sign-in domain does.
 */
async function clientSite(next?: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (next && request.url?.startsWith("/hop")) return void response.writeHead(302, { location: `${next}/cb?hopped=yes` }).end();
    response.writeHead(200, { "content-type": "text/plain" }).end(`client got ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const sorted = (params: URLSearchParams) => [...params].sort(([a], [b]) => a.localeCompare(b));

describe("the OAuth login and consent pages in chromium", { skip: browserSuiteSkip() }, () => {
  let server: TestInstance;
  let site: Awaited<ReturnType<typeof clientSite>>;
  let client: RegisteredClient;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    [server, site] = await Promise.all([startTestInstance(dialectsUnderTest()[0]!), clientSite()]);
    client = await registerClient(server.instance, { name: "Language Switch Client", redirect_url: [`${site.origin}/cb`] });
  });
  after(async () => {
    await context?.close();
    await server?.close();
    await site?.close();
  });

  /** A browser of its own for each test: no session or language cookie carried from the last. */
  async function freshBrowser(): Promise<void> {
    await context?.close();
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
  }

  /** An authorization request with every kind of value, and a parameter Portcullis does not use, which the switch keeps too. */
  function authorizeQuery(): URLSearchParams {
    const { challenge } = pkcePair();
    return new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: `${site.origin}/cb`, scope: "useraccount", state: "a b/c?d=e&f", code_challenge: challenge, code_challenge_method: "S256", login_hint: "kept too" });
  }

  async function switchTo(label: string): Promise<void> {
    await page.locator("#language-select").selectOption({ label });
    await Promise.all([page.waitForEvent("load"), page.locator(".language-switch button").click()]);
  }

  test("the login page's language switch comes back in the chosen language with the whole authorization request, then consent's, and Allow still reaches the client on its own origin", async () => {
    await freshBrowser();
    const query = authorizeQuery();
    await page.goto(`${server.base}/oauth_auth.do?${query}`);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    await switchTo("한국어");
    assert.equal(await page.getAttribute("html", "lang"), "ko");
    const back = new URL(page.url());
    assert.equal(back.origin + back.pathname, `${server.base}/oauth_auth.do`);
    assert.deepEqual(sorted(back.searchParams), sorted(query), "every parameter of the request, as it was");

    await page.locator("#user_name").fill("admin");
    await page.locator("#user_password").fill(adminPassword);
    await Promise.all([page.waitForEvent("load"), page.locator("#user_password").press("Enter")]);
    assert.equal(await page.getAttribute("html", "lang"), "ko", "consent in the language chosen before signing in");
    // Signing in carries on the request's own parameters (login_hint is not one), and the switch keeps those.
    const consent = new URL(page.url()).searchParams;
    assert.deepEqual(sorted(consent), sorted(query).filter(([name]) => name !== "login_hint"));
    await switchTo("English");
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.deepEqual(sorted(new URL(page.url()).searchParams), sorted(consent));

    await Promise.all([page.waitForURL(`${site.origin}/cb?**`), page.getByRole("button", { name: "Allow" }).click()]);
    const landed = new URL(page.url());
    assert.match(landed.searchParams.get("code") ?? "", /^\S{20,}$/);
    assert.equal(landed.searchParams.get("state"), "a b/c?d=e&f");
    assert.match((await page.textContent("body")) ?? "", /client got \/cb\?code=/);
  });

  test("Deny reaches the client too, with access_denied", async () => {
    await freshBrowser();
    await page.goto(`${server.base}/oauth_auth.do?${authorizeQuery()}`);
    await page.locator("#user_name").fill("admin");
    await page.locator("#user_password").fill(adminPassword);
    await Promise.all([page.waitForEvent("load"), page.locator("#user_password").press("Enter")]);
    await Promise.all([page.waitForURL(`${site.origin}/cb?**`), page.getByRole("button", { name: "Deny" }).click()]);
    assert.equal(new URL(page.url()).searchParams.get("error"), "access_denied");
  });

  test("the login page lets its forms send the browser here and to the client's origin only; signing in still reaches consent", async () => {
    await freshBrowser();
    const login = await page.goto(`${server.base}/oauth_auth.do?${authorizeQuery()}`);
    const policy = (await login!.allHeaders())["content-security-policy"] ?? "";
    assert.match(policy, new RegExp(`(^|;)form-action 'self' ${site.origin.replace(/[.]/g, "\\.")}(;|$)`));
    assert.match(policy, /frame-ancestors 'none'/);
    await page.locator("#user_name").fill("admin");
    await page.locator("#user_password").fill(adminPassword);
    const [consent] = await Promise.all([page.waitForResponse((r) => r.request().method() === "GET" && r.url().includes("/oauth_auth.do?")), page.locator("#user_password").press("Enter")]);
    assert.equal(consent.status(), 200);
    await page.getByRole("button", { name: "Allow" }).waitFor();
    // Consent's own policy has no form-action: see the next test.
    assert.doesNotMatch((await consent.allHeaders())["content-security-policy"] ?? "", /form-action/);
  });

  test("Allow reaches a client whose redirect endpoint sends the browser on to another origin: consent has no form-action, which chromium applies to that hop too", async () => {
    await freshBrowser();
    const landing = await clientSite();
    const gateway = await clientSite(landing.origin);
    try {
      const hopping = await registerClient(server.instance, { name: "Gateway Client", redirect_url: [`${gateway.origin}/hop`] });
      const query = new URLSearchParams({ response_type: "code", client_id: hopping.clientId, redirect_uri: `${gateway.origin}/hop`, code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
      await page.goto(`${server.base}/oauth_auth.do?${query}`);
      await page.locator("#user_name").fill("admin");
      await page.locator("#user_password").fill(adminPassword);
      await Promise.all([page.waitForEvent("load"), page.locator("#user_password").press("Enter")]);
      await Promise.all([page.waitForURL(`${landing.origin}/cb?hopped=yes`), page.getByRole("button", { name: "Allow" }).click()]);
      assert.equal(await page.textContent("body"), "client got /cb?hopped=yes");
    } finally {
      await Promise.all([landing.close(), gateway.close()]);
    }
  });

  test("at 320 px a long English client name wraps, as a Korean one does: neither page scrolls sideways", async () => {
    await freshBrowser();
    const long = await registerClient(server.instance, { name: `com.example.integration.${"x".repeat(76)}`, redirect_url: [`${site.origin}/cb`] });
    await page.setViewportSize({ width: 320, height: 800 });
    const query = new URLSearchParams({ response_type: "code", client_id: long.clientId, redirect_uri: `${site.origin}/cb`, code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
    for (const language of ["en", "ko"]) {
      await context.addCookies([{ name: languageCookie, value: language, url: server.base }]);
      await page.goto(`${server.base}/oauth_auth.do?${query}`);
      assert.equal(await page.getAttribute("html", "lang"), language);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the login page in ${language} scrolls sideways by ${overflow}px`);
    }
    await page.locator("#user_name").fill("admin");
    await page.locator("#user_password").fill(adminPassword);
    await context.addCookies([{ name: languageCookie, value: "en", url: server.base }]);
    await Promise.all([page.waitForEvent("load"), page.locator("#user_password").press("Enter")]);
    assert.equal(await page.getAttribute("html", "lang"), "en");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the consent page scrolls sideways by ${overflow}px`);
  });
});
