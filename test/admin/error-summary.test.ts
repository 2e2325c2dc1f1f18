import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

/** The error summary's lines, each as its field and its text (the label, what joins it to the message, the message). */
function summary(page: Page): { field: string; text: string }[] {
  const box = /<div class="alert alert-error" role="alert" tabindex="-1" id="error-summary">([\s\S]*?)<\/div>/.exec(page.html)?.[1] ?? "";
  return [...box.matchAll(/<li><a href="#([^"]+)">([\s\S]*?)<\/li>/g)].map((m) => ({ field: m[1]!, text: m[2]!.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"') }));
}

/** The fields of the form posting to `action`, in the order a reader meets them going down the page. */
function formOrder(page: Page, action: string, fields: string[]): string[] {
  const start = page.html.indexOf(`action="${action}"`);
  const form = page.html.slice(start, page.html.indexOf("</form>", start));
  return fields.map((field) => ({ field, at: form.search(new RegExp(`id="${field}"`)) })).sort((a, b) => a.at - b.at).map((f) => f.field);
}

describe("the error summary lists a form's problems in the form's order, the label joined to its message by a colon", () => {
  let server: TestInstance;
  let english: FormBrowser;
  let korean: FormBrowser;

  before(async () => {
    server = await startTestInstance(dialect!);
    english = await signIn(server.base);
    korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
  });
  after(() => server?.close());

  const registryForm = "/admin/registry/new/client";
  // Wrong in every field that can be: the checks meet them in another order than the form lists them.
  const badEndpoint = {
    name: "",
    redirect_url: ["not a url"],
    logo_url: "ftp://logo",
    grant_types: null,
    access_token_lifespan: "10",
    refresh_token_lifespan: "-1",
    client_credentials_user: "nobody.here",
    comments: "x".repeat(4001),
  };

  test("New endpoint: in the form's order", async () => {
    const answer = await english.submitForm(await english.get(registryForm), registryForm, badEndpoint);
    assert.equal(answer.status, 400);
    const fields = summary(answer).map((line) => line.field);
    assert.ok(fields.length >= 7, JSON.stringify(fields));
    assert.deepEqual(fields, formOrder(answer, registryForm, fields));
  });

  test("English and Korean both put a colon between the label and the message", async () => {
    const englishLines = summary(await english.submitForm(await english.get(registryForm), registryForm, badEndpoint));
    assert.ok(englishLines.some((line) => line.text === "Access token lifespan: must be at least 60"), JSON.stringify(englishLines));
    assert.ok(englishLines.some((line) => line.text === 'Client credentials user: no user "nobody.here"'), JSON.stringify(englishLines));
    const koreanLines = summary(await korean.submitForm(await korean.get(registryForm), registryForm, badEndpoint));
    assert.ok(koreanLines.some((line) => /^액세스 토큰 수명: /.test(line.text)), JSON.stringify(koreanLines));
  });

  test("New provider and New user: in their forms' order too", async () => {
    const providerForm = "/admin/registry/new/provider";
    const provider = await english.submitForm(await english.get(providerForm), providerForm, { name: "", client_id: "", client_secret: "", token_url: "not a url", authorization_url: "also not", revocation_url: "nor this", scope: "x".repeat(5000) });
    assert.equal(provider.status, 400);
    const providerFields = summary(provider).map((line) => line.field);
    assert.ok(providerFields.length >= 5, JSON.stringify(providerFields));
    assert.deepEqual(providerFields, formOrder(provider, providerForm, providerFields));

    const user = await english.submitForm(await english.get("/admin/users"), "/admin/users", { user_name: "bad name!", first_name: "f".repeat(51), last_name: "l".repeat(51), name: "n".repeat(201), email: "not an email", password: "short", roles: "Bad Role" });
    assert.equal(user.status, 400);
    const userFields = summary(user).map((line) => line.field);
    assert.ok(userFields.length >= 6, JSON.stringify(userFields));
    assert.deepEqual(userFields, formOrder(user, "/admin/users", userFields));
  });
});
