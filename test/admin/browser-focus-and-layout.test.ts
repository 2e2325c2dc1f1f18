import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { browserSuiteSkip, launchChromium } from "../support/chromium.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).map(Number).map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** The focused element's ring as drawn, and its contrast (WCAG relative luminance) with the background it is drawn over. */
async function focusRing(page: Page): Promise<{ element: string; style: string; width: number; contrast: number }> {
  const drawn = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    // The ring sits outside the element (outline-offset), over the first opaque background around it.
    let behind = element.parentElement;
    while (behind && getComputedStyle(behind).backgroundColor === "rgba(0, 0, 0, 0)") behind = behind.parentElement;
    return { element: element.id || element.textContent!.trim(), style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor, background: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)" };
  });
  const [light, dark] = [luminance(drawn.color), luminance(drawn.background)].sort((x, y) => y - x);
  return { element: drawn.element, style: drawn.style, width: drawn.width, contrast: (light! + 0.05) / (dark! + 0.05) };
}

describe("admin UI in chromium: visible focus and long names", { skip: browserSuiteSkip() }, () => {
  let server: TestInstance;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.base}/`);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL(`${server.base}/admin`);
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  test("the keyboard focus ring is an outline of 3:1 contrast, kept in forced-colors mode", async () => {
    await page.goto(`${server.base}/admin/registry/new/client`);
    await page.getByRole("link", { name: "Application Registry" }).last().focus();
    await page.keyboard.press("Tab");
    for (const forcedColors of ["none", "active"] as const) {
      await page.emulateMedia({ forcedColors });
      const ring = await focusRing(page);
      assert.equal(ring.element, "name");
      // Forced-colors mode (Windows High Contrast) drops box-shadows: a ring drawn with one vanishes.
      assert.notEqual(ring.style, "none", `focused Name field has no outline (forced colors ${forcedColors})`);
      assert.ok(ring.width >= 2, `outline ${ring.width}px`);
      if (forcedColors === "none") assert.ok(ring.contrast >= 3, `focus ring contrast ${ring.contrast.toFixed(2)}:1 against the form`);
    }
    await page.emulateMedia({ forcedColors: "none" });
    await page.getByRole("button", { name: "Sign out" }).focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const topBar = await focusRing(page);
    assert.equal(topBar.element, "Sign out");
    assert.ok(topBar.contrast >= 3, `focus ring contrast ${topBar.contrast.toFixed(2)}:1 on the top bar`);
  });

  test("a long name (one word, the longest allowed) widens no page, wide or phone-sized", async () => {
    const name = `com.example.integration.${"x".repeat(76)}`;
    const client = await registerClient(server.instance, { name, redirect_url: [`https://${"a".repeat(60)}.example/${"p".repeat(200)}`] });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of [`/admin/registry/${client.sysId}`, `/admin/registry/${client.sysId}/regenerate`, "/admin/tokens", `/admin/audit?table=oauth_entity&record=${client.sysId}`, "/admin/registry"]) {
        await page.goto(server.base + path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${path} at ${width}px scrolls sideways by ${overflow}px`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("at 320 px, the narrowest width WCAG's reflow rule asks for, no page scrolls sideways, in English or Korean", async () => {
    await page.setViewportSize({ width: 320, height: 900 });
    try {
      for (const language of ["en", "ko"]) {
        await context.addCookies([{ name: languageCookie, value: language, url: server.base }]);
        // The New page's choice cards quote an API path, one long word that has to break.
        for (const path of ["/admin", "/admin/registry/new", "/admin/registry/new/client", "/admin/registry/new/provider", "/admin/users", "/admin/pipeline"]) {
          await page.goto(server.base + path);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${path} in ${language} at 320px scrolls sideways by ${overflow}px`);
        }
      }
    } finally {
      await context.clearCookies({ name: languageCookie });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test("on a wide screen a long name breaks in its column: Manage Tokens and Audit keep every column in view", async () => {
    const name = `com.example.tokens.${"y".repeat(81)}`;
    const client = await registerClient(server.instance, { name, grant_types: "client_credentials" });
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.status, 200, res.text);
    for (const path of ["/admin/tokens", "/admin/audit"]) {
      await page.goto(server.base + path);
      // The list scrolls inside its frame on a phone; at 1280 px nothing of it should be out of view.
      const hidden = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>(".table-wrap")).map((wrap) => wrap.scrollWidth - wrap.clientWidth));
      assert.ok(hidden.length > 0 && hidden.every((px) => px <= 0), `${path}: the list hides ${hidden.join(", ")} px to its right`);
    }
  });

  test("a section after a list or a form stands apart from it: the providers under the endpoints, Delete under an endpoint, New user under the users", async () => {
    const client = await registerClient(server.instance, { name: "Spacing Client" });
    const pairs: [string, string, string][] = [
      ["/admin/registry?q=Spacing", ".table-wrap", "#providers-heading"],
      [`/admin/registry/${client.sysId}`, "form.record-form", "section.panel"],
      ["/admin/users", ".table-wrap", "section.panel"],
    ];
    for (const [path, above, below] of pairs) {
      await page.goto(server.base + path);
      const gap = (await page.locator(below).first().boundingBox())!.y - ((await page.locator(above).first().boundingBox())!.y + (await page.locator(above).first().boundingBox())!.height);
      assert.ok(gap >= 12, `${path}: ${below} starts ${gap}px under ${above}`);
    }
  });

  test("the sign-in card's language switch stands apart from the Sign in heading under it", async () => {
    const signedOut = await launchChromium();
    try {
      const fresh = await signedOut.newPage();
      await fresh.goto(`${server.base}/`);
      const switchBox = (await fresh.locator(".signin-card .language-switch").boundingBox())!;
      const gap = (await fresh.locator(".signin-card h1").boundingBox())!.y - (switchBox.y + switchBox.height);
      assert.ok(gap >= 12, `the heading starts ${gap}px under the language switch`);
    } finally {
      await signedOut.close();
    }
  });

  test("a revoked token's row fits at 1280 px, in English and Korean: its dates wrap between date and time, the badge and the action column stay in view", async () => {
    const client = await registerClient(server.instance, { name: "Revoked Token Client", grant_types: "password,refresh_token" });
    const grant = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(grant.status, 200, grant.text);
    const revoked = await postForm(`${server.base}/oauth_revoke_token.do`, { token: grant.body.access_token }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(revoked.status, 200, revoked.text);
    for (const language of ["en", "ko"]) {
      await context.addCookies([{ name: languageCookie, value: language, url: server.base }]);
      await page.goto(`${server.base}/admin/tokens`);
      assert.equal(await page.getAttribute("html", "lang"), language);
      const fit = await page.evaluate(() => {
        const wrap = document.querySelector<HTMLElement>(".table-wrap")!;
        const row = Array.from(wrap.querySelectorAll("tbody tr")).find((tr) => tr.querySelector(".pill-revoked"))!;
        const frame = wrap.getBoundingClientRect();
        return { hidden: wrap.scrollWidth - wrap.clientWidth, page: document.documentElement.scrollWidth - window.innerWidth, rowRight: row.lastElementChild!.getBoundingClientRect().right - frame.right };
      });
      assert.ok(fit.hidden <= 0 && fit.page <= 0 && fit.rowRight <= 0, `${language}: the list hides ${fit.hidden} px, the page ${fit.page} px, the revoked row ends ${fit.rowRight} px past the frame`);
    }
    await context.addCookies([{ name: languageCookie, value: "en", url: server.base }]);
  });

  test("in Korean, a token's type (새로 고침) stays on one line beside the long dates", async () => {
    const client = await registerClient(server.instance, { name: "Refreshing Client", grant_types: "password,refresh_token" });
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.status, 200, res.text);
    await context.addCookies([{ name: languageCookie, value: "ko", url: server.base }]);
    await context.setExtraHTTPHeaders({ "accept-language": "ko" });
    // Every token, the long-named client's among them: the columns are at their tightest.
    await page.goto(`${server.base}/admin/tokens`);
    assert.equal(await page.getAttribute("html", "lang"), "ko");
    const lines = await page.evaluate(() =>
      Array.from(document.querySelectorAll("table.list tbody tr")).map((row) => {
        const range = document.createRange();
        range.selectNodeContents(row.children[2]!);
        return `${row.children[2]!.textContent}: ${range.getClientRects().length}`;
      }),
    );
    assert.ok(lines.includes("새로 고침: 1"), lines.join(", "));
    assert.deepEqual(lines.filter((line) => !line.endsWith(": 1")), []);
  });
});
