import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { recordProvider, signedInBrowser } from "../support/consumer.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";

describe("RFC 9207: /oauth_redirect.do refuses an answer whose iss is missing or names another server", () => {
  let consumer: TestInstance;
  let peer: TestInstance;
  before(async () => {
    const sqlite = dialectsUnderTest()[0]!;
    [consumer, peer] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite)]);
  });
  after(async () => {
    await Promise.all([consumer?.close(), peer?.close()]);
  });

  /** One "Get OAuth Token" round trip up to the provider's redirect back, which the test may tamper with. */
  async function answerFromPeer() {
    const client = await registerClient(peer.instance, { redirect_url: `${consumer.instance.config.publicUrl}/oauth_redirect.do` });
    const provider = await recordProvider(consumer.instance, { client_id: client.clientId, client_secret: client.secret, authorization_url: `${peer.base}/oauth_auth.do`, token_url: `${peer.base}/oauth_token.do`, default_grant: "authorization_code" });
    const atConsumer = await signedInBrowser(consumer);
    const start = await atConsumer.get(`${connections}/${provider.sysId}/authorize`);
    assert.equal(start.status, 303, start.html);
    const authorize = new URL(start.location!);
    const atPeer = new FormBrowser(peer.base);
    const login = await atPeer.get(authorize.pathname + authorize.search);
    const consent = (await atPeer.submit(login, { user_name: "admin", user_password: adminPassword })).location!;
    const back = new URL((await atPeer.submit(await atPeer.get(consent), { action: "allow" })).location!);
    return { atConsumer, back, provider };
  }

  const tokens = async (provider: string) => Number((await consumer.instance.store.db.selectFrom("oauth_obtained_token").select((eb) => eb.fn.countAll<number>().as("n")).where("provider", "=", provider).executeTakeFirstOrThrow()).n);

  test("Portcullis names itself in iss, as its metadata says", async () => {
    const { back } = await answerFromPeer();
    assert.equal(back.searchParams.get("iss"), peer.instance.config.publicUrl);
  });

  test("a tampered iss is refused with a clear page; no token is stored and the state is spent", async () => {
    const { atConsumer, back, provider } = await answerFromPeer();
    back.searchParams.set("iss", "https://attacker.example");
    const landed = await atConsumer.get(back.pathname + back.search);
    assert.equal(landed.status, 400);
    assert.match(landed.html, /https:\/\/attacker\.example/);
    assert.match(landed.html, /RFC 9207/);
    assert.equal(await tokens(provider.sysId), 0);
    back.searchParams.set("iss", peer.instance.config.publicUrl);
    assert.equal((await atConsumer.get(back.pathname + back.search)).status, 400, "the state cannot be retried with a corrected iss");
    assert.equal(await tokens(provider.sysId), 0);
  });

  test("a missing iss is refused too, and so is a second one", async () => {
    for (const tamper of [(u: URL) => u.searchParams.delete("iss"), (u: URL) => u.searchParams.append("iss", peer.instance.config.publicUrl)]) {
      const { atConsumer, back, provider } = await answerFromPeer();
      tamper(back);
      const landed = await atConsumer.get(back.pathname + back.search);
      assert.equal(landed.status, 400, landed.html);
      assert.match(landed.html, /iss/);
      assert.equal(await tokens(provider.sysId), 0);
    }
  });

  test("the untouched answer connects", async () => {
    const { atConsumer, back, provider } = await answerFromPeer();
    const landed = await atConsumer.get(back.pathname + back.search);
    assert.equal(landed.status, 200, landed.html);
    assert.equal(await tokens(provider.sysId), 1);
  });
});
