import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sha256 } from "../../src/domain/secrets.ts";
import { findClient } from "../../src/store/oauth-entity-store.ts";
import { followRedirect, signIn } from "../support/admin.ts";
import type { FormBrowser, Page } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const freshSecret = (page: Page) => /id="client_secret" readonly value="([A-Za-z0-9_-]{43})"/.exec(page.html)?.[1];

/**
 * The one-time message after a POST, which also carries a regenerated client secret to the
 * page that shows it once: sealed with the instance's key and bound to the admin's session.
 */
describe("the flash cookie across POST-redirect-GET", () => {
  let server: TestInstance;
  let secure: TestInstance;
  before(async () => {
    const sqlite = dialectsUnderTest()[0]!;
    // Behind a TLS-terminating proxy: the instance speaks HTTP here, its public URL is https.
    [server, secure] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite, { publicUrl: "https://portcullis.example" })]);
  });
  after(async () => {
    await Promise.all([server?.close(), secure?.close()]);
  });

  async function regenerate(browser: FormBrowser, sysId: string): Promise<Page> {
    const confirm = await browser.get(`/admin/registry/${sysId}/regenerate`);
    return browser.submitForm(confirm, `/admin/registry/${sysId}/regenerate`);
  }

  const flashCookie = (answer: Page) => answer.headers.getSetCookie().find((c) => /^(__Host-)?portcullis_flash(_\d+)?=/.test(c));

  test("a regenerated secret is shown once, but the cookie that carries it does not hold it readable", async () => {
    const browser = await signIn(server.base);
    const client = await registerClient(server.instance, {});
    const answer = await regenerate(browser, client.sysId);
    const cookie = flashCookie(answer)!;
    assert.ok(cookie, "the answer sets the flash cookie");
    const record = await followRedirect(browser, answer);
    const secret = freshSecret(record)!;
    assert.equal(sha256(secret), (await findClient(server.instance.store.db, client.sysId))!.clientSecretHash, "the page shows the new secret");
    const value = decodeURIComponent(cookie.split(";")[0]!.split("=").slice(1).join("="));
    assert.ok(!value.includes(secret), "not in the cookie as it is");
    assert.ok(!Buffer.from(value.replace(/^v1:/, ""), "base64url").toString("latin1").includes(secret), "nor encoded");
    assert.equal(freshSecret(await browser.get(`/admin/registry/${client.sysId}`)), undefined, "shown once");
  });

  test("a forged cookie, or one taken to another admin session, shows nothing", async () => {
    const client = await registerClient(server.instance, {});
    const port = new URL(server.base).port;
    const forged = Buffer.from(JSON.stringify({ message: "Forged notice", secret: { recordSysId: client.sysId, value: "ATTACKER".padEnd(43, "A") } })).toString("base64url");
    const victim = await signIn(server.base);
    victim.setCookie(`portcullis_flash_${port}`, forged);
    const page = await victim.get(`/admin/registry/${client.sysId}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /ATTACKER|Forged notice/);
    assert.equal(freshSecret(page), undefined);

    // A real cookie, sealed for the admin who regenerated, presented by another admin's session.
    const owner = await signIn(server.base);
    const cookie = flashCookie(await regenerate(owner, client.sysId))!;
    const other = await signIn(server.base);
    other.setCookie(`portcullis_flash_${port}`, cookie.split(";")[0]!.split("=").slice(1).join("="));
    const elsewhere = await other.get(`/admin/registry/${client.sysId}`);
    assert.equal(freshSecret(elsewhere), undefined, "the secret stays with the session that asked for it");
    assert.doesNotMatch(elsewhere.html, /A new client secret was generated/);
  });

  test("over https the cookie is __Host- prefixed: Secure, Path=/, no Domain", async () => {
    const browser = await signIn(secure.base);
    const client = await registerClient(secure.instance, {});
    const answer = await regenerate(browser, client.sysId);
    const cookie = flashCookie(answer)!;
    assert.match(cookie, /^__Host-portcullis_flash=/);
    assert.match(cookie, /; Secure/i);
    assert.match(cookie, /; Path=\/(;|$)/);
    assert.doesNotMatch(cookie, /Domain=/i);
    assert.ok(freshSecret(await followRedirect(browser, answer)), "and the page still shows the secret");
  });
});
