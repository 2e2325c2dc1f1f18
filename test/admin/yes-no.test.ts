import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { updateClient } from "../../src/store/oauth-entity-store.ts";
import { setUserActive } from "../../src/store/user-admin-store.ts";
import { createUser } from "../../src/store/user-store.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser } from "../support/browser.ts";
import { recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

describe("a true/false field reads Yes or No in English, as 예 or 아니요 in Korean and yes or no in the English CLI", () => {
  let server: TestInstance;
  let english: FormBrowser;
  let korean: FormBrowser;
  let client: Awaited<ReturnType<typeof registerClient>>;
  let provider: Awaited<ReturnType<typeof recordProvider>>;
  let userSysId: string;

  before(async () => {
    server = await startTestInstance(dialect!);
    english = await signIn(server.base);
    korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
    const db = server.instance.store.db;
    client = await registerClient(server.instance, { name: "Yes No Endpoint" });
    await updateClient(db, client.sysId, { active: false }, "admin");
    provider = await recordProvider(server.instance, { name: "Yes No Provider", client_id: "abc", client_secret: "s3cret", token_url: "https://provider.example/oauth_token.do" });
    userSysId = (await createUser(db, { userName: "yes.no", passwordHash: null }, "admin")).sysId;
    await setUserActive(db, userSysId, false, "admin");
  });
  after(() => server?.close());

  test("Users list and user page: Active", async () => {
    const list = await english.get("/admin/users");
    assert.match(list.html, /<span class="pill pill-yes">Yes<\/span>/, "the admin is active");
    assert.match(list.html, /<span class="pill pill-no">No<\/span>/, "yes.no is not");
    assert.doesNotMatch(list.html, />(true|false)</);
    assert.match((await english.get(`/admin/users/${userSysId}`)).html, /<span class="pill pill-no">No<\/span>/);
    assert.match((await korean.get("/admin/users")).html, /<span class="pill pill-no">아니요<\/span>/);
  });

  test("the Application Registry's list: Active", async () => {
    const list = await english.get("/admin/registry?q=Yes%20No");
    assert.match(list.html, /Yes No Endpoint[\s\S]*?<span class="pill pill-no">No<\/span>/);
    assert.doesNotMatch(list.html, />(true|false)</);
  });

  test("a provider's page: Allow http URLs", async () => {
    const page = await english.get(`/admin/providers/${provider.sysId}`);
    assert.match(page.html, /Allow http URLs<\/dt>\s*<dd[^>]*>No<\/dd>/);
  });

  test("History: Active: Yes → No", async () => {
    assert.match((await english.get(`/admin/audit?table=oauth_entity&record=${client.sysId}`)).html, /Active: Yes → No/);
    assert.match((await english.get(`/admin/audit?table=sys_user&record=${userSysId}`)).html, /Active: Yes → No/);
  });
});
