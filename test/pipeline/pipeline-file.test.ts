import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parsePipeline } from "../../src/pipeline/pipeline-file.ts";
import { issueText, ValidationError } from "../../src/domain/validation.ts";
import { translator } from "../../src/i18n/translator.ts";
import { pipelineCLI } from "../support/pipeline.ts";
import { tempDir } from "../support/stores.ts";

const file = (instances: string[]) => ["production: { name: production, url: https://prod.example, admin: { password_env: PROD_PW } }", "instances:", ...instances.map((i) => `  - ${i}`)].join("\n");
const dev = (name: string, url: string) => `{ name: ${name}, url: ${url}, admin: { password_env: DEV_PW } }`;

function issuesOf(text: string, language: "en" | "ko" = "en"): string[] {
  try {
    parsePipeline(text);
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.issues.map((i) => `${i.field}: ${issueText(i, translator(language))}`);
  }
  return [];
}

describe("pipeline file: one instance, one entry", () => {
  test("one instance listed twice under two names is refused, whatever the URL's case, default port or final slash", () => {
    for (const twin of ["https://DEV.example", "https://dev.example:443", "https://dev.example/", "HTTPS://Dev.Example:443/"]) {
      assert.deepEqual(issuesOf(file([dev("development", "https://dev.example"), dev("dev-again", twin)])), [`instances.1.url: ${twin.replace(/\/$/, "")} is development again under another name; one instance is listed once`], twin);
    }
    assert.deepEqual(issuesOf(file([dev("development", "https://prod.example:443")])), ["instances.0.url: https://prod.example:443 is production again under another name; one instance is listed once"]);
    assert.deepEqual(issuesOf(file([dev("development", "https://dev.example"), dev("test", "https://dev.example:8443")])), [], "another port is another instance");
  });

  test("a name used twice is named", () => {
    assert.deepEqual(issuesOf(file([dev("development", "https://dev.example"), dev("development", "https://test.example")])), ['instances.1.name: another instance is named "development" too; instance names must be unique']);
    assert.deepEqual(issuesOf(file([dev("production", "https://dev.example")]), "ko"), ['instances.0.name: "production"(이)라는 인스턴스가 또 있습니다. 인스턴스 이름은 고유해야 합니다']);
  });
});

describe("pipeline file: the admin passwords it names", () => {
  test("every variable that is not set is named at once, before any instance is asked", async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "pipeline.yaml");
      writeFileSync(path, ["production: { name: production, url: http://127.0.0.1:9, admin: { password_env: UNSET_PROD_PW } }", "instances:", "  - { name: development, url: http://127.0.0.2:9, admin: { password_env: UNSET_DEV_PW } }", "  - { name: test, url: http://127.0.0.3:9, admin: { password_env: SET_TEST_PW } }"].join("\n"));
      const run = await pipelineCLI(["pipeline", "verify", path], { SET_TEST_PW: "x" });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /production\.admin\.password_env: set UNSET_PROD_PW to the admin password of http:\/\/127\.0\.0\.1:9/);
      assert.match(run.stderr, /development\.admin\.password_env: set UNSET_DEV_PW/);
      assert.doesNotMatch(run.stderr, /SET_TEST_PW|cannot be reached/);
      assert.doesNotMatch(run.stderr, /Signing in/, "nothing is signed in to while a password is missing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
