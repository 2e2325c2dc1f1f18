import fs from "node:fs";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { tempDir } from "./stores.ts";

/** Debian's chromium; playwright-core drives it and never downloads a browser. */
export const chromiumPath = "/usr/bin/chromium";

/**
 * Why the browser suite cannot run here, or false when it can. Only a machine without
 * chromium skips; CI installs it, so there a missing browser is a failure, not a skip.
 */
export function browserSuiteSkip(): string | false {
  if (fs.existsSync(chromiumPath)) return false;
  if (process.env.CI) throw new Error(`CI must install chromium (${chromiumPath}); .ci/run does it with apt-get`);
  return `chromium is not installed at ${chromiumPath} (apt-get install -y chromium); browser tests skipped`;
}

export async function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tempDir("portcullis-chromium-"), {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
  });
}

/**
 * A full-page screenshot, kept as an artefact. Chromium on a loaded machine sometimes answers
 * "Unable to capture screenshot" once (seen in CI with another suite running); the picture is
 * an artefact, not what the test asserts, so it is taken again once after a pause.
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  try {
    await page.screenshot({ path: artifactPath(name), fullPage: true });
  } catch (error) {
    if (!/Unable to capture screenshot/.test((error as Error).message)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.screenshot({ path: artifactPath(name), fullPage: true });
  }
}

/** Screenshots are test artefacts, kept out of git (test-artifacts/ is ignored). */
export function artifactPath(name: string): string {
  const dir = path.resolve("test-artifacts", "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
