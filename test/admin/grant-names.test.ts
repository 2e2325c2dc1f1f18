import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();
const grants = ["authorization_code", "client_credentials", "password"] as const;

/** The name the endpoint form gives each grant type, beside its wire name. */
async function endpointFormNames(browser: FormBrowser): Promise<Record<string, string | undefined>> {
  const page = await browser.get("/admin/registry/new/client");
  return Object.fromEntries(grants.map((g) => [g, new RegExp(`<label for="grant_${g}">([^<]+) <code>${g}</code></label>`).exec(page.html)?.[1]]));
}

/** The name the provider form's Default grant type choice gives each grant. */
async function providerFormNames(browser: FormBrowser): Promise<Record<string, string | undefined>> {
  const page = await browser.get("/admin/registry/new/provider");
  const select = /<select id="default_grant"[^>]*>(.*?)<\/select>/s.exec(page.html)![1]!;
  return Object.fromEntries(grants.map((g) => [g, new RegExp(`<option value="${g}"[^>]*>([^<]+)</option>`).exec(select)?.[1]]));
}

describe("a grant type has one name across the admin UI: endpoint form, provider form and Audit", () => {
  let server: TestInstance;

  before(async () => {
    server = await startTestInstance(dialect!);
    const client = await registerClient(server.instance, { name: "Named Grants", grant_types: "password" });
    const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(res.status, 200, res.text);
  });
  after(() => server?.close());

  for (const language of ["en", "ko"] as const) {
    test(`in ${language}`, async () => {
      const browser = await signIn(server.base);
      browser.setCookie(languageCookie, language);
      const names = await endpointFormNames(browser);
      for (const g of grants) assert.ok(names[g], `the endpoint form names ${g}`);
      assert.deepEqual(await providerFormNames(browser), names);
      const audit = await browser.get("/admin/audit?table=oauth_credential");
      assert.ok(audit.html.includes(names.password!), `Audit names the password grant ${names.password}`);
    });
  }
});
