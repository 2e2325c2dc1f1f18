import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import Provider from "oidc-provider";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { readObtainedToken } from "../../src/store/obtained-token-store.ts";
import { deleteProvider } from "../../src/store/provider-store.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminBearer, apiCall, recordProvider, signedInBrowser } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";

/**
 * A standard OAuth server that is not Portcullis: panva's oidc-provider on loopback, with a
 * small resource route beside it that accepts the tokens it issued. Its token endpoint
 * requests are counted, to see how often the consumer asks.
 */
async function startOidcProvider(redirectUri: string) {
  let tokenRequests = 0;
  let oidc!: Provider;
  const server = http.createServer(async (req, res) => {
    if (req.url?.startsWith("/api/resource")) {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
      const found = token ? ((await oidc.AccessToken.find(token)) ?? (await oidc.ClientCredentials.find(token))) : undefined;
      if (!found) {
        res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ client_id: found.clientId, sub: (found as { accountId?: string }).accountId ?? null }));
      return;
    }
    if (req.url?.startsWith("/token")) tokenRequests++;
    oidc.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  oidc = new Provider(base, {
    clients: [
      { client_id: "portcullis-cc", client_secret: "cc-secret-for-the-oidc-provider-test", grant_types: ["client_credentials"], redirect_uris: [], response_types: [] },
      {
        client_id: "portcullis-web",
        client_secret: "web-secret-for-the-oidc-provider-test",
        grant_types: ["authorization_code"],
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: true } },
    cookies: { keys: ["a-test-cookie-key-for-oidc-provider"] },
  });
  // Its dev-interaction warnings are expected in a test.
  oidc.on("server_error", () => {});
  return {
    base,
    oidc,
    tokenRequests: () => tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Follows a redirect chain in one browser until it leaves `origin` or lands on a page. */
async function follow(browser: FormBrowser, location: string, origin: string) {
  let page = await browser.get(location);
  let current = new URL(location, origin);
  while (page.status >= 300 && page.status < 400) {
    current = new URL(page.location!, current);
    if (current.origin !== origin) return { page, leftTo: current };
    page = await browser.get(current.pathname + current.search);
  }
  return { page, leftTo: null };
}

const [dialect] = dialectsUnderTest();

describe("consumer against oidc-provider (a standard OAuth server)", () => {
  let consumer: TestInstance;
  let op: Awaited<ReturnType<typeof startOidcProvider>>;
  let bearer: string;
  before(async () => {
    consumer = await startTestInstance(dialect!);
    op = await startOidcProvider(`${consumer.instance.config.publicUrl}/oauth_redirect.do`);
    bearer = await adminBearer(consumer);
  });
  after(async () => {
    await Promise.all([consumer?.close(), op?.close()]);
  });

  test("client_credentials with Basic credentials; a 401 gets a new token once and the call is retried", async () => {
    const provider = await recordProvider(consumer.instance, { client_id: "portcullis-cc", client_secret: "cc-secret-for-the-oidc-provider-test", token_url: `${op.base}/token` });
    const got = await apiCall(consumer, bearer, "POST", `${connections}/${provider.sysId}/token`, {});
    assert.equal(got.status, 200, got.text);
    const call = await apiCall(consumer, bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/resource" });
    assert.equal(call.body.result.status, 200, call.text);
    assert.equal(call.body.result.body.client_id, "portcullis-cc");

    // The provider forgets the token: the next call sees a 401, asks once more, and succeeds.
    const before = op.tokenRequests();
    const stored = await consumer.instance.store.db.selectFrom("oauth_obtained_token").select("generation").where("provider", "=", provider.sysId).executeTakeFirstOrThrow();
    const token = await readObtainedToken(consumer.instance.store.db, instanceSecretBox(consumer.instance), provider.sysId);
    await (await op.oidc.ClientCredentials.find(token!.accessToken!))!.destroy();
    const retried = await apiCall(consumer, bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/resource" });
    assert.equal(retried.body.result.status, 200, retried.text);
    assert.equal(op.tokenRequests() - before, 1);
    const now = await consumer.instance.store.db.selectFrom("oauth_obtained_token").select("generation").where("provider", "=", provider.sysId).executeTakeFirstOrThrow();
    assert.equal(now.generation, stored.generation + 1);
  });

  /** "Get OAuth Token" through oidc-provider's login and consent, up to its redirect back (which a test may tamper with). */
  async function authorizeAtOp() {
    const provider = await recordProvider(consumer.instance, {
      client_id: "portcullis-web",
      client_secret: "web-secret-for-the-oidc-provider-test",
      authorization_url: `${op.base}/auth`,
      token_url: `${op.base}/token`,
      default_grant: "authorization_code",
      credential_style: "body",
      scope: "openid",
    });
    const atConsumer = await signedInBrowser(consumer);
    const start = await atConsumer.get(`${connections}/${provider.sysId}/authorize`);
    assert.equal(start.status, 303, start.html);
    const atOp = new FormBrowser(op.base);
    let step = await follow(atOp, start.location!, op.base);
    // Login (any name in dev interactions), then consent.
    for (let i = 0; i < 3 && !step.leftTo; i++) {
      assert.equal(step.page.status, 200, step.page.html.slice(0, 500));
      const submitted = await atOp.submit(step.page, { login: "alice", password: "any" });
      step = await follow(atOp, submitted.location!, op.base);
    }
    assert.ok(step.leftTo, "oidc-provider did not redirect back");
    assert.equal(`${step.leftTo.origin}${step.leftTo.pathname}`, `${consumer.instance.config.publicUrl}/oauth_redirect.do`);
    // Cleared, so the next test's record may use the same client ID.
    const forget = () => deleteProvider(consumer.instance.store.db, provider.sysId, "test", { key: "auditReason.deletedProvider" });
    return { provider, atConsumer, back: step.leftTo, forget };
  }

  test("authorization_code with PKCE through oidc-provider's login and consent, credentials in the body", async () => {
    const { provider, atConsumer, back, forget } = await authorizeAtOp();
    const landed = await atConsumer.get(back.pathname + back.search);
    assert.equal(landed.status, 200, landed.html);
    const call = await apiCall(consumer, bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/me" });
    assert.equal(call.body.result.status, 200, call.text);
    assert.equal(call.body.result.body.sub, "alice");
    await forget();
  });

  test("RFC 9207: oidc-provider says it sends iss in its OpenID discovery document only; a tampered iss is still refused", async () => {
    const { provider, atConsumer, back, forget } = await authorizeAtOp();
    assert.equal(back.searchParams.get("iss"), op.base);
    back.searchParams.set("iss", "https://attacker.example");
    const landed = await atConsumer.get(back.pathname + back.search);
    assert.equal(landed.status, 400, landed.html);
    assert.match(landed.html, /https:\/\/attacker\.example/);
    const stored = await consumer.instance.store.db.selectFrom("oauth_obtained_token").select("provider").where("provider", "=", provider.sysId).execute();
    assert.deepEqual(stored, []);
    await forget();
  });
});
