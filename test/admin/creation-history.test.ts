import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { parseProviderCreate } from "../../src/domain/oauth-provider.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { findClient } from "../../src/store/oauth-entity-store.ts";
import { createProvider, findProvider } from "../../src/store/provider-store.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { followRedirect, signIn } from "../support/admin.ts";
import type { Page } from "../support/browser.ts";
import { runCli } from "../support/in-process-cli.ts";
import { adminPassword, freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

/** The Change column of a record page's History, top to bottom (newest first). */
function changes(page: Page): string[] {
  const history = /<section class="history"[\s\S]*?<\/section>/.exec(page.html)?.[0] ?? "";
  return [...history.matchAll(/<td class="wrap change">([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/&quot;/g, '"'));
}

/** The Change column of the Audit page, top to bottom (newest first). */
function auditChanges(page: Page): string[] {
  return [...page.html.matchAll(/<td class="wrap change">([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/&quot;/g, '"'));
}

/** The stored sys_audit rows of one record: what the Table API and Audit show, secrets or not. */
async function auditValues(db: TestInstance["instance"]["store"]["db"], documentkey: string): Promise<string[]> {
  const rows = await db.selectFrom("sys_audit").select(["fieldname", "newvalue", "oldvalue"]).where("documentkey", "=", documentkey).execute();
  return rows.flatMap((r) => [r.fieldname, r.newvalue, r.oldvalue]);
}

describe("History shows every field a creation set, as the platform's History shows an insert", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialect!);
  });
  after(() => server?.close());

  test("an endpoint made on the New endpoint form: each setting, in the form's order, under its label; never the secret", async () => {
    const browser = await signIn(server.base);
    const form = await browser.get("/admin/registry/new/client");
    const answer = await browser.submitForm(form, "/admin/registry/new/client", {
      name: "Fully Recorded",
      redirect_url: ["https://a.example/cb", "https://b.example/cb"],
      allow_http_redirect: "true",
      grant_types: ["authorization_code", "client_credentials"],
      access_token_lifespan: "900",
      refresh_token_lifespan: "0",
      comments: "made to be audited",
    });
    const created = await followRedirect(browser, answer);
    const client = (await findClient(server.instance.store.db, "Fully Recorded"))!;
    assert.deepEqual(changes(created), [
      "Created, Name: Fully Recorded",
      `Created, Client ID: ${client.clientId}`,
      "Created, Redirect URL: https://a.example/cb, https://b.example/cb",
      "Created, Active: Yes",
      "Created, Public client: No",
      "Created, PKCE required: Yes",
      "Created, Allow http redirect: Yes",
      "Created, Grant types: Authorization code, Client credentials",
      "Created, Access token lifespan: 900",
      "Created, Refresh token lifespan: 0",
      "Created, Accessible from: All application scopes",
      "Created, Comments: made to be audited",
    ]);
    // Stored as the Table API writes a true/false field, not the 1/0 its column holds.
    const flags = await server.instance.store.db.selectFrom("sys_audit").select(["fieldname", "newvalue"]).where("documentkey", "=", client.sysId).where("fieldname", "in", ["active", "public_client", "pkce_required"]).orderBy("fieldname").execute();
    assert.deepEqual(flags.map((r) => `${r.fieldname}=${r.newvalue}`), ["active=true", "pkce_required=true", "public_client=false"]);
    const secret = /id="client_secret" readonly value="([^"]+)"/.exec(created.html)![1]!;
    const stored = await auditValues(server.instance.store.db, client.sysId);
    assert.ok(!stored.includes(client.clientSecretHash!), "the secret's hash is not recorded");
    assert.ok(!stored.some((v) => v.includes(secret) || /secret/.test(v)), stored.join(", "));
  });

  test("a user made on the New user form: the fields given, in the form's order, with their roles above; never the password or its hash", async () => {
    const browser = await signIn(server.base);
    const form = await browser.get("/admin/users");
    const created = await followRedirect(browser, await browser.submitForm(form, "/admin/users", { user_name: "grace", first_name: "Grace", last_name: "Hopper", email: "grace@example.test", password: "long enough 1", roles: "itil" }));
    assert.deepEqual(changes(created), ["Roles: +itil", "Created, User ID: grace", "Created, First name: Grace", "Created, Last name: Hopper", "Created, Name: Grace Hopper", "Created, Email: grace@example.test", "Created, Active: Yes"]);
    const user = (await findUserByName(server.instance.store.db, "grace"))!;
    const stored = await auditValues(server.instance.store.db, user.sysId);
    assert.ok(!stored.includes(user.passwordHash!) && !stored.includes("long enough 1") && !stored.includes("password"), stored.join(", "));
  });
});

describe("History shows every setting a provider connection was made with", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialect!);
  });
  after(() => server?.close());

  test("a provider made on the Connect to a third-party OAuth Provider form: each setting, in the form's order; never the secret or its sealed form", async () => {
    const browser = await signIn(server.base);
    const form = await browser.get("/admin/registry/new/provider");
    const secret = "provider-secret-never-audited";
    await followRedirect(
      browser,
      await browser.submitForm(form, "/admin/registry/new/provider", {
        name: "Recorded Provider",
        client_id: "recorded-client",
        client_secret: secret,
        token_url: "https://provider.example/oauth_token.do",
        authorization_url: "https://provider.example/oauth_auth.do",
        revocation_url: "https://provider.example/oauth_revoke_token.do",
        default_grant: "authorization_code",
        credential_style: "body",
        scope: "useraccount",
      }),
    );
    const provider = (await findProvider(server.instance.store.db, "Recorded Provider"))!;
    assert.deepEqual(auditChanges(await browser.get(`/admin/audit?table=oauth_entity&record=${provider.sysId}`)), [
      "Created, Name: Recorded Provider",
      "Created, Client ID: recorded-client",
      "Created, Token URL: https://provider.example/oauth_token.do",
      "Created, Authorization URL: https://provider.example/oauth_auth.do",
      "Created, Token revocation URL: https://provider.example/oauth_revoke_token.do",
      "Created, Allow http URLs: No",
      "Created, Default grant type: Authorization code",
      "Created, Client authentication: In the request body",
      "Created, Scope: useraccount",
      "Created, OAuth entity profile: Recorded Provider default_profile",
    ]);
    const sealed = await server.instance.store.db.selectFrom("oauth_provider_settings").select("client_secret_enc").where("entity", "=", provider.sysId).executeTakeFirstOrThrow();
    const stored = await auditValues(server.instance.store.db, provider.sysId);
    assert.ok(!stored.some((v) => v.includes(secret) || v.includes(sealed.client_secret_enc) || /secret/.test(v)), stored.join(", "));
  });

  test("a provider given its own OAuth entity profile (the CLI's --oauth-profile, the registry API's oauth_profile) records that name", async () => {
    const settings = parseProviderCreate({ name: "Own Profile", client_id: "own-profile-client", client_secret: "own-profile-secret", token_url: "https://own.example/oauth_token.do", oauth_profile: "Own Profile for pipelines" });
    const provider = await createProvider(server.instance.store.db, instanceSecretBox(server.instance), settings, `${server.base}/oauth_redirect.do`, "admin");
    const browser = await signIn(server.base);
    const shown = auditChanges(await browser.get(`/admin/audit?table=oauth_entity&record=${provider.sysId}`));
    assert.equal(shown[shown.length - 1], "Created, OAuth entity profile: Own Profile for pipelines", shown.join(" | "));
  });
});

describe("History of what the CLI creates shows every field it set too", () => {
  const dir = tempDir();
  let server: RunningServer | undefined;
  after(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("client create and user create", async () => {
    const env = { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C" };
    const client = await runCli(["client", "create", "--name", "CLI Recorded", "--redirect-url", "https://cli.example/cb", "--no-pkce-required", "--inactive", "--access-token-lifespan", "600", "--data", dir, "--json"], env);
    assert.equal(client.code, 0, client.stderr);
    const user = await runCli(["user", "create", "ada", "--first-name", "Ada", "--email", "ada@example.test", "--data", dir], env);
    assert.equal(user.code, 0, user.stderr);
    const port = await freePort();
    server = await startServer(loadConfig({ dataDir: dir, port, host: "127.0.0.1", adminPassword, logLevel: "silent" }), { logger: false, print: () => {} });
    const browser = await signIn(`http://127.0.0.1:${port}`);
    const record = (await findClient(server.instance.store.db, "CLI Recorded"))!;
    const clientChanges = changes(await browser.get(`/admin/registry/${record.sysId}`));
    for (const row of ["Created, Name: CLI Recorded", "Created, Redirect URL: https://cli.example/cb", "Created, Active: No", "Created, PKCE required: No", "Created, Allow http redirect: No", "Created, Grant types: Authorization code, Refresh token", "Created, Access token lifespan: 600"]) {
      assert.ok(clientChanges.includes(row), `${row} in ${clientChanges.join(" | ")}`);
    }
    const ada = (await findUserByName(server.instance.store.db, "ada"))!;
    assert.deepEqual(changes(await browser.get(`/admin/users/${ada.sysId}`)), ["Created, User ID: ada", "Created, First name: Ada", "Created, Name: Ada", "Created, Email: ada@example.test", "Created, Active: Yes"]);
  });
});
