import fs from "node:fs";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
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

/** Screenshots are test artefacts, kept out of git (test-artifacts/ is ignored). */
export function artifactPath(name: string): string {
  const dir = path.resolve("test-artifacts", "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
