import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { sha256 } from "../../src/domain/secrets.ts";
import { findClient } from "../../src/store/oauth-entity-store.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { browserSuiteSkip, launchChromium, saveScreenshot } from "../support/chromium.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const prod = "https://prod-instance.service-now.com/oauth_redirect.do";
const dev = "https://dev-instance.service-now.com/oauth_redirect.do";
const testUrl = "https://test-instance.service-now.com/oauth_redirect.do";
const seedEndpoints: [string, string[]][] = [
  ["Pipeline Controller Client", [prod, dev, testUrl]],
  ["Pipeline Development Client", [prod, dev]],
  ["Pipeline Test Client", [prod, testUrl]],
];

/** Text boxes whose content is wider than the box: cut or overflowing text. */
function clippedText(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>("button, a.btn, label, th, h1, h2, .pill, legend, .navigator a, .alert, p, dt, dd"))
      .filter((el) => el.offsetParent !== null && !el.closest(".visually-hidden, .urls, .mono, code") && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "auto")
      .map((el) => `${el.tagName.toLowerCase()}: ${el.textContent?.trim().slice(0, 40)} (${el.scrollWidth} > ${el.clientWidth})`),
  );
}

describe("the registry flow in Korean, in Debian's chromium", { skip: browserSuiteSkip() }, () => {
  let server: TestInstance;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    context = await launchChromium();
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => void problems.push(error.message));
  });
  after(async () => {
    await context?.close();
    await server?.close();
  });

  async function shot(name: string): Promise<void> {
    await saveScreenshot(page, name);
    assert.deepEqual(await clippedText(page), [], `${name}: text cut or overflowing`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px`);
  }

  test("the browser asks for Korean: the sign-in page answers in Korean; the switch changes it without JavaScript", async () => {
    await context.setExtraHTTPHeaders({ "accept-language": "ko-KR,ko;q=0.9,en;q=0.5" });
    await page.goto(server.base + "/");
    await page.getByRole("heading", { name: "로그인" }).waitFor();
    assert.equal(await page.getAttribute("html", "lang"), "ko");
    await page.getByLabel("언어").selectOption("en");
    await page.getByRole("button", { name: "변경" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Language").selectOption("ko");
    await page.getByRole("button", { name: "Change" }).click();
    await page.getByRole("heading", { name: "로그인" }).waitFor();
    await shot("ko-01-sign-in.png");
  });

  test("sign in in Korean; switching while signed in saves sys_user.preferred_language", async () => {
    await page.getByLabel("사용자 이름").fill("admin");
    await page.getByLabel("비밀번호").fill(adminPassword);
    await page.getByRole("button", { name: "로그인" }).click();
    await page.getByRole("heading", { name: "개요" }).waitFor();
    await page.getByLabel("언어").selectOption("ko");
    await page.getByRole("button", { name: "변경" }).click();
    await page.getByRole("heading", { name: "개요" }).waitFor();
    assert.equal((await findUserByName(server.instance.store.db, "admin"))!.preferredLanguage, "ko");
    // The saved preference wins over the browser asking for English.
    await context.setExtraHTTPHeaders({ "accept-language": "en" });
    await page.reload();
    await page.getByRole("heading", { name: "개요" }).waitFor();
    await shot("ko-02-overview.png");
  });

  test("create the seed's three endpoints: 새로 만들기, 외부 클라이언트용 OAuth API 엔드포인트 생성, 잠금 해제, URLs, 잠금, 제출", async () => {
    for (const [index, [name, urls]] of seedEndpoints.entries()) {
      await page.getByRole("navigation", { name: "탐색기" }).getByRole("link", { name: "애플리케이션 레지스트리" }).click();
      await page.getByRole("link", { name: "새로 만들기", exact: true }).click();
      if (index === 0) await shot("ko-03-interceptor.png");
      await page.getByRole("link", { name: /외부 클라이언트용 OAuth API 엔드포인트 생성/ }).click();
      await page.getByLabel("이름").fill(name);
      await page.getByRole("button", { name: "잠금 해제" }).click();
      for (const [row, url] of urls.entries()) {
        if (row > 0) await page.getByRole("button", { name: "행 추가" }).click();
        await page.getByLabel(`리디렉션 URL ${row + 1}`, { exact: true }).fill(url);
      }
      if (index === 0) await shot("ko-04-registry-form-unlocked.png");
      await page.getByRole("button", { name: "잠금", exact: true }).click();
      assert.equal(await page.locator("[data-locked-view]").textContent(), urls.join(", "));
      if (index === 0) await shot("ko-05-registry-form-locked.png");
      await page.getByRole("button", { name: "제출" }).click();
      await page.getByText(`“${name}”을(를) 생성했습니다.`).waitFor();
      const secret = await page.getByLabel("클라이언트 암호").inputValue();
      const stored = (await findClient(server.instance.store.db, name))!;
      assert.deepEqual(stored.redirectUrls, urls);
      assert.equal(stored.clientSecretHash, sha256(secret));
      if (index === 0) await shot("ko-06-record-secret-once.png");
    }
    await page.getByRole("navigation", { name: "탐색기" }).getByRole("link", { name: "애플리케이션 레지스트리" }).click();
    await page.getByText("레코드 3개").waitFor();
    await shot("ko-07-registry-list.png");
  });

  test("regenerate a secret in Korean", async () => {
    const before = (await findClient(server.instance.store.db, "Pipeline Test Client"))!;
    await page.getByRole("link", { name: "Pipeline Test Client" }).click();
    await page.getByRole("link", { name: "다시 생성" }).click();
    await page.getByRole("heading", { name: "클라이언트 암호를 다시 생성할까요?" }).waitFor();
    await shot("ko-08-regenerate-confirm.png");
    await page.getByRole("button", { name: "암호 다시 생성" }).click();
    await page.getByText("새 클라이언트 암호를 생성했습니다").waitFor();
    const secret = await page.getByLabel("클라이언트 암호").inputValue();
    const after = (await findClient(server.instance.store.db, "Pipeline Test Client"))!;
    assert.notEqual(after.clientSecretHash, before.clientSecretHash);
    assert.equal(after.clientSecretHash, sha256(secret));
  });

  test("on a phone (390 px) the Korean pages fit, nothing cut", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const controller = (await findClient(server.instance.store.db, "Pipeline Controller Client"))!;
    for (const [path, name] of [
      ["/admin", "ko-09-phone-overview.png"],
      ["/admin/registry", "ko-10-phone-registry-list.png"],
      [`/admin/registry/${controller.sysId}`, "ko-11-phone-registry-form.png"],
      ["/admin/registry/new", "ko-12-phone-interceptor.png"],
    ] as const) {
      await page.goto(server.base + path);
      await shot(name);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(problems, []);
  });
});
