import assert from "node:assert/strict";
import { FormBrowser, type Page } from "./browser.ts";
import { adminPassword } from "./instance.ts";

/** Signs in through the form at "/", as a person would; returns the browser holding the session. */
export async function signIn(base: string, userName = "admin", password = adminPassword): Promise<FormBrowser> {
  const browser = new FormBrowser(base);
  const form = await browser.get("/");
  assert.equal(form.status, 200, form.html);
  const signedIn = await browser.submitForm(form, "/login.do", { user_name: userName, user_password: password });
  assert.equal(signedIn.status, 303, signedIn.html);
  return browser;
}

/** Follows a POST-redirect-GET answer: asserts the 303 and loads the page it points to. */
export async function followRedirect(browser: FormBrowser, answer: Page): Promise<Page> {
  assert.equal(answer.status, 303, `expected a redirect, got ${answer.status}: ${answer.html.slice(0, 500)}`);
  return browser.get(answer.location!);
}

/** The text of a field's error message as rendered next to the field. */
export function fieldError(page: Page, field: string): string | undefined {
  const match = new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(page.html);
  return match?.[1];
}
