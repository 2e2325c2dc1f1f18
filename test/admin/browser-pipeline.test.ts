import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { main } from "../../src/cli/main.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { parseProviderCreate } from "../../src/domain/oauth-provider.ts";
import { findClient } from "../../src/store/oauth-entity-store.ts";
import { createProvider, findProvider } from "../../src/store/provider-store.ts";
import { browserSuiteSkip, launchChromium, saveScreenshot } from "../support/chromium.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

/** Text boxes whose content is wider than the box, and SVG text that leaves its node or the drawing. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("button, a.btn, label, th, td, h1, h2, .pill, .navigator a, .alert, p, li, span"))) {
      if (el.offsetParent !== null && !el.closest(".visually-hidden") && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "auto" && !el.closest(".table-wrap")) {
        found.push(`${el.tagName.toLowerCase()}: ${el.textContent?.trim().slice(0, 40)} (${el.scrollWidth} > ${el.clientWidth})`);
      }
    }
    for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>("svg.trust-graph")).filter((el) => getComputedStyle(el).display !== "none")) {
      const view = svg.viewBox.baseVal;
      for (const text of Array.from(svg.querySelectorAll<SVGTextElement>("text"))) {
        const box = text.getBBox();
        if (box.x < view.x || box.y < view.y || box.x + box.width > view.x + view.width || box.y + box.height > view.y + view.height) found.push(`svg text outside the drawing: ${text.textContent}`);
        const rect = text.closest("g.graph-node")?.querySelector("rect")?.getBBox();
        if (rect && (box.x < rect.x || box.x + box.width > rect.x + rect.width)) found.push(`node text wider than its box: ${text.textContent}`);
        if (text.closest("g.graph-edge")) {
          // An edge's words under a node's box would be hidden by it.
          const under = Array.from(svg.querySelectorAll<SVGRectElement>("g.graph-node rect")).map((r) => r.getBBox()).some((r) => box.x < r.x + r.width && r.x < box.x + box.width && box.y < r.y + r.height && r.y < box.y + box.height);
          if (under) found.push(`edge words under a node: ${text.textContent}`);
        }
      }
    }
    const sideways = document.documentElement.scrollWidth - window.innerWidth;
    if (sideways > 0) found.push(`the page scrolls sideways by ${sideways}px`);
    return found;
  });
}

async function cli(args: string[], env: Record<string, string>) {
  let stdout = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stdout += `${s}\n`) }, env);
  return { code, stdout };
}

describe("the Pipeline page draws the trust graph of a real pipeline (Debian's chromium)", { skip: browserSuiteSkip() }, () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  const env = { PROD_PW: adminPassword, DEV_PW: adminPassword, TEST_PW: adminPassword };
  let prod: TestInstance;
  let dev: TestInstance;
  let testing: TestInstance;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  /** The expected health of each direction, as the page should draw it on production. */
  let expected: Record<string, string>;

  before(async () => {
    const sqlite = dialectsUnderTest()[0]!;
    [prod, dev, testing] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite), startTestInstance(sqlite)]);
    fs.writeFileSync(
      file,
      [
        `production: { name: production, url: ${prod.base}, admin: { user: admin, password_env: PROD_PW } }`,
        "instances:",
        `  - { name: development, url: ${dev.base}, admin: { user: admin, password_env: DEV_PW } }`,
        `  - { name: test, url: ${testing.base}, admin: { user: admin, password_env: TEST_PW } }`,
      ].join("\n"),
    );
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => void (message.type() === "error" && problems.push(message.text())));
    page.on("pageerror", (error) => void problems.push(error.message));
  });
  after(async () => {
    await context?.close();
    await Promise.all([prod, dev, testing].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("pipeline up, then one edge of each health: a revoked token, an expired token, a provider without a token", async () => {
    const up = await cli(["pipeline", "up", file], env);
    assert.equal(up.code, 0, up.stdout);
    // test no longer honours the tokens production holds: verify sees the refusal and records it.
    const testClient = (await findClient(testing.instance.store.db, "Pipeline Test Client"))!;
    await testing.instance.store.db.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("client", "=", testClient.sysId).execute();
    assert.notEqual((await cli(["pipeline", "verify", file], env)).code, 0);
    // production's token for development has expired and nothing renews it: an authorization-code
    // token without a refresh token. (One that a refresh token or client_credentials renews stays "ok".)
    const toDev = (await findProvider(prod.instance.store.db, "Pipeline Development"))!;
    await prod.instance.store.db.updateTable("oauth_obtained_token").set({ expires_at: Date.now() - 60_000, grant_type: "authorization_code", refresh_token_enc: null }).where("provider", "=", toDev.sysId).execute();
    // A provider record for an instance outside the pipeline, with no token yet.
    await createProvider(prod.instance.store.db, instanceSecretBox(prod.instance), parseProviderCreate({ name: "Staging", client_id: "staging-client", client_secret: "s3cret-value", token_url: "http://127.0.0.1:9/oauth_token.do" }), `${prod.base}/oauth_redirect.do`, "test");
    expected = {
      "production→development": "expired",
      "development→production": "ok",
      "production→test": "unhealthy",
      "test→production": "ok",
      "production→127.0.0.1:9": "no_token",
    };
  });

  /** What the drawing on screen shows: the wide one at 1280 px, the tall one on a phone. */
  async function drawn(shape: "wide" | "tall" = "wide"): Promise<{ nodes: Record<string, { self: boolean; controller: boolean }>; edges: Record<string, string> }> {
    await page.locator(`svg.trust-graph-${shape}`).waitFor({ state: "visible" });
    assert.equal(await page.locator(`svg.trust-graph-${shape === "wide" ? "tall" : "wide"}`).isVisible(), false, "one drawing at a time");
    return page.evaluate((selector) => ({
      nodes: Object.fromEntries(Array.from(document.querySelectorAll(`${selector} g[data-node]`)).map((g) => [g.getAttribute("data-node"), { self: g.getAttribute("data-self") === "true", controller: g.getAttribute("data-controller") === "true" }])),
      edges: Object.fromEntries(Array.from(document.querySelectorAll(`${selector} g[data-edge]`)).map((g) => [g.getAttribute("data-edge"), g.getAttribute("data-health")])),
    }), `svg.trust-graph-${shape}`);
  }

  async function check(name: string): Promise<void> {
    await saveScreenshot(page, name);
    assert.deepEqual(await overflowing(page), [], `${name}: something is cut or overflows`);
  }

  test("production's page, in English: every instance a node, every direction an edge with its health and a legend", async () => {
    await page.goto(prod.base + "/");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${prod.base}/admin`);
    await page.getByRole("navigation", { name: "Navigator" }).getByRole("link", { name: "Pipeline" }).click();
    await page.getByRole("heading", { name: "Pipeline", level: 1 }).waitFor();
    const graph = await drawn();
    assert.deepEqual(graph.nodes, {
      production: { self: true, controller: true },
      development: { self: false, controller: false },
      test: { self: false, controller: false },
      "127.0.0.1:9": { self: false, controller: false },
    });
    assert.deepEqual(graph.edges, expected);
    // The refusal's reason and the run that saw it are spelt out in the table.
    const broken = page.locator('tr[data-edge-row="production→test"]');
    assert.match((await broken.textContent()) ?? "", /unhealthy.*401/);
    assert.match((await page.locator('tr[data-edge-row="production→development"]').textContent()) ?? "", /expired/);
    assert.match((await page.locator(".run-summary").textContent()) ?? "", /Last pipeline run \(verify\).*Some edges were broken/);
    for (const health of ["ok", "unhealthy", "no token", "expired"]) await page.locator(".graph-legend").getByText(new RegExp(`^${health}:`)).waitFor();
    const [health, until] = await page.locator('svg.trust-graph-wide g[data-edge="production→development"] tspan').allTextContents();
    assert.equal(health, "expired");
    assert.match(until ?? "", /^until [A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d:\d\d UTC$/);
    await check("pipeline-01-en.png");
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(await drawn("tall"), graph);
    await check("pipeline-02-en-phone.png");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("the same page in Korean, at 1280 px and on a phone, nothing cut", async () => {
    await page.getByLabel("Language").selectOption("ko");
    await page.getByRole("button", { name: "Change" }).click();
    await page.getByRole("heading", { name: "파이프라인", level: 1 }).waitFor();
    assert.deepEqual((await drawn()).edges, expected);
    assert.match((await page.locator('svg.trust-graph-wide g[data-node="production"]').textContent()) ?? "", /이 인스턴스 · 컨트롤러/);
    await page.locator(".graph-legend").getByText(/^토큰 없음:/).waitFor();
    await check("pipeline-03-ko.png");
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual((await drawn("tall")).edges, expected);
    await check("pipeline-04-ko-phone.png");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test("development's page knows the whole pipeline from the recorded run", async () => {
    await page.goto(dev.base + "/");
    await page.getByLabel("사용자 이름").or(page.getByLabel("User name")).fill("admin");
    await page.getByLabel("비밀번호").or(page.getByLabel("Password")).fill(adminPassword);
    await page.locator('button[type="submit"]').last().click();
    await page.waitForURL(`${dev.base}/admin`);
    await page.goto(`${dev.base}/admin/pipeline`);
    const graph = await drawn();
    assert.deepEqual(Object.keys(graph.nodes).sort(), ["development", "production", "test"]);
    assert.equal(graph.nodes.development!.self, true);
    assert.equal(graph.nodes.production!.controller, true);
    assert.equal(graph.edges["production→test"], "unhealthy", "an edge development takes no part in, known from the run");
    assert.deepEqual(problems, [], "no console errors or CSP violations");
  });
});
