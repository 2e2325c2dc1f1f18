import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { updateClient } from "../../src/store/oauth-entity-store.ts";
import { createUser } from "../../src/store/user-store.ts";
import { signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

/** The Change column of a record page's History, oldest first. */
function changes(page: Page): string[] {
  const history = /<section class="history"[\s\S]*?<\/section>/.exec(page.html)?.[0] ?? "";
  return [...history.matchAll(/<td class="wrap change">([\s\S]*?)<\/td>/g)].map((m) => m[1]!).reverse();
}

describe("History shows a reference by the user it names and a choice or a grant type by its label, as the form does; sys_audit keeps the sys_id and the value", () => {
  let server: TestInstance;
  let english: FormBrowser;
  let korean: FormBrowser;
  let client: Awaited<ReturnType<typeof registerClient>>;
  let ada: string;
  let bob: string;

  before(async () => {
    server = await startTestInstance(dialect!);
    english = await signIn(server.base);
    korean = await signIn(server.base);
    korean.setCookie(languageCookie, "ko");
    const db = server.instance.store.db;
    ada = (await createUser(db, { userName: "ada.cc", passwordHash: null }, "admin")).sysId;
    bob = (await createUser(db, { userName: "bob.cc", passwordHash: null }, "admin")).sysId;
    client = await registerClient(server.instance, { name: "Display Values", grant_types: "client_credentials", client_credentials_user: "ada.cc" });
    await updateClient(db, client.sysId, { client_credentials_user: "bob.cc", accessible_from: "this" }, "admin");
  });
  after(() => server?.close());

  test("Client credentials user and Accessible from, on creation and on an edit, in English and Korean", async () => {
    const shown = changes(await english.get(`/admin/registry/${client.sysId}`));
    for (const row of ["Created, Client credentials user: ada.cc", "Created, Accessible from: All application scopes", "Client credentials user: ada.cc → bob.cc", "Accessible from: All application scopes → This application scope only"]) {
      assert.ok(shown.includes(row), `${row} in ${shown.join(" | ")}`);
    }
    assert.ok(!shown.some((row) => row.includes(ada) || row.includes(bob) || /: all\b|→ this\b/.test(row)), shown.join(" | "));
    const inKorean = changes(await korean.get(`/admin/registry/${client.sysId}`));
    assert.ok(inKorean.some((row) => row.includes("모든 애플리케이션 범위 → 이 애플리케이션 범위만")), inKorean.join(" | "));
    assert.ok(inKorean.some((row) => row.includes("ada.cc → bob.cc")), inKorean.join(" | "));
    // The stored rows are what the platform's sys_audit holds: the sys_id and the choice's value.
    const stored = await server.instance.store.db.selectFrom("sys_audit").select(["fieldname", "oldvalue", "newvalue"]).where("documentkey", "=", client.sysId).where("fieldname", "in", ["client_credentials_user", "accessible_from"]).where("oldvalue", "!=", "").orderBy("fieldname").execute();
    assert.deepEqual(stored.map((r) => [r.fieldname, r.oldvalue, r.newvalue]), [["accessible_from", "all", "this"], ["client_credentials_user", ada, bob]]);
  });

  test("Grant types by their labels in the form's order, joined as the form's text joins them, on creation and on an edit, in English and Korean; sys_audit keeps the stored list", async () => {
    const db = server.instance.store.db;
    const grants = await registerClient(server.instance, { name: "Grant Labels", grant_types: ["client_credentials", "authorization_code"] });
    await updateClient(db, grants.sysId, { grant_types: ["authorization_code", "refresh_token"] }, "admin");
    const shown = changes(await english.get(`/admin/registry/${grants.sysId}`));
    for (const row of ["Created, Grant types: Authorization code, Client credentials", "Grant types: Authorization code, Client credentials → Authorization code, Refresh token"]) {
      assert.ok(shown.includes(row), `${row} in ${shown.join(" | ")}`);
    }
    assert.ok(!shown.some((row) => /authorization_code|client_credentials|refresh_token/.test(row)), shown.join(" | "));
    const inKorean = changes(await korean.get(`/admin/registry/${grants.sysId}`));
    assert.ok(inKorean.some((row) => row.includes("권한 부여 코드, 클라이언트 자격 증명 → 권한 부여 코드, 새로 고침 토큰")), inKorean.join(" | "));
    const stored = await db.selectFrom("sys_audit").select(["oldvalue", "newvalue"]).where("documentkey", "=", grants.sysId).where("fieldname", "=", "grant_types").orderBy("created_at").execute();
    assert.deepEqual(stored.map((r) => [r.oldvalue, r.newvalue]), [["", "client_credentials,authorization_code"], ["client_credentials,authorization_code", "authorization_code,refresh_token"]]);
  });

  test("a user since deleted is shown by the sys_id the row keeps", async () => {
    await server.instance.store.db.deleteFrom("sys_user").where("sys_id", "=", ada).execute();
    const shown = changes(await english.get(`/admin/registry/${client.sysId}`));
    assert.ok(shown.includes(`Created, Client credentials user: ${ada}`), shown.join(" | "));
    assert.ok(shown.includes(`Client credentials user: ${ada} → bob.cc`), shown.join(" | "));
  });
});
