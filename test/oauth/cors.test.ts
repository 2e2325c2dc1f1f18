import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import type { BrowserContext } from "playwright-core";
import { FormBrowser } from "../support/browser.ts";
import { browserSuiteSkip, launchChromium } from "../support/chromium.ts";
import { adminPassword, freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const appOrigin = "https://app.example";

/** Logs in and allows, as a person would; returns the code and its verifier. */
async function authorizationCode(server: TestInstance, clientId: string, redirectUri: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const browser = new FormBrowser(server.base);
  const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, state: "s", code_challenge: challenge, code_challenge_method: "S256" });
  const login = await browser.get(`/oauth_auth.do?${query}`);
  const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
  const back = new URL((await browser.submit(consent, { action: "allow" })).location!);
  return { code: back.searchParams.get("code")!, verifier };
}

describe("CORS for browser-based public clients, as node-oidc-provider's clientBasedCORS", () => {
  let server: TestInstance;
  let spa: RegisteredClient;
  let native: RegisteredClient;
  let confidential: RegisteredClient;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    spa = await registerClient(server.instance, { public_client: true, redirect_url: `${appOrigin}/cb` });
    native = await registerClient(server.instance, { public_client: true, redirect_url: "com.example.app:/cb" });
    confidential = await registerClient(server.instance, { redirect_url: `${appOrigin}/cb` });
  });
  after(() => server.close());

  const token = (form: Record<string, string>, headers: Record<string, string>) => postForm(`${server.base}/oauth_token.do`, form, headers);

  test("the metadata may be read from any origin (RFC 8414 §3)", async () => {
    const res = await http(`${server.base}/.well-known/oauth-authorization-server`, { headers: { origin: appOrigin } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  });

  test("a public client's token answers, errors included, may be read by the origin of its redirect URI", async () => {
    const { code, verifier } = await authorizationCode(server, spa.clientId, `${appOrigin}/cb`);
    const issued = await token({ grant_type: "authorization_code", client_id: spa.clientId, code, code_verifier: verifier, redirect_uri: `${appOrigin}/cb` }, { origin: appOrigin });
    assert.equal(issued.status, 200, issued.text);
    assert.equal(issued.headers.get("access-control-allow-origin"), appOrigin);
    assert.match(issued.headers.get("vary") ?? "", /Origin/);
    const refused = await token({ grant_type: "refresh_token", client_id: spa.clientId, refresh_token: "spent" }, { origin: appOrigin });
    assert.equal(refused.body.error, "invalid_grant");
    assert.equal(refused.headers.get("access-control-allow-origin"), appOrigin, "the app must be able to read why it was refused");
    const revoked = await postForm(`${server.base}/oauth_revoke_token.do`, { client_id: spa.clientId, token: issued.body.refresh_token }, { origin: appOrigin });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.headers.get("access-control-allow-origin"), appOrigin);
  });

  test("no other origin, no confidential client and no opaque origin is let read", async () => {
    const other = await token({ grant_type: "refresh_token", client_id: spa.clientId, refresh_token: "x" }, { origin: "https://evil.example" });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    const secretHolder = await token({ grant_type: "refresh_token", refresh_token: "x" }, { origin: appOrigin, authorization: basic(confidential.clientId, confidential.secret) });
    assert.equal(secretHolder.body.error, "invalid_grant");
    assert.equal(secretHolder.headers.get("access-control-allow-origin"), null);
    // A private-use scheme's origin is "null", as a sandboxed frame's is.
    const opaque = await token({ grant_type: "refresh_token", client_id: native.clientId, refresh_token: "x" }, { origin: "null" });
    assert.equal(opaque.headers.get("access-control-allow-origin"), null);
    const unknown = await token({ grant_type: "refresh_token", client_id: "nobody", refresh_token: "x" }, { origin: appOrigin });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.headers.get("access-control-allow-origin"), null);
  });

  test("a public client's refusals made before it is authenticated are readable too, whatever the body", async () => {
    const readable = (res: { headers: Headers }, what: string) => {
      assert.equal(res.headers.get("access-control-allow-origin"), appOrigin, what);
      assert.match(res.headers.get("vary") ?? "", /Origin/, what);
    };
    const unknownGrant = await token({ client_id: spa.clientId, grant_type: "implicit" }, { origin: appOrigin });
    assert.equal(unknownGrant.body.error, "unsupported_grant_type");
    readable(unknownGrant, "an unknown grant type");
    const noGrant = await token({ client_id: spa.clientId }, { origin: appOrigin });
    assert.equal(noGrant.body.error, "invalid_request");
    readable(noGrant, "no grant_type");
    const repeated = await postForm(`${server.base}/oauth_token.do`, `grant_type=authorization_code&client_id=${spa.clientId}&code=a&code=b`, { origin: appOrigin });
    assert.match(repeated.body.error_description, /code was sent more than once/);
    readable(repeated, "a repeated code");
    // fetch sends a hand-built form string as text/plain: a simple request, so the browser lets it through.
    const text = await http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "text/plain;charset=UTF-8", origin: appOrigin }, body: `grant_type=refresh_token&client_id=${spa.clientId}&refresh_token=x` });
    assert.match(text.body.error_description, /application\/x-www-form-urlencoded/);
    readable(text, "a text/plain body");
    const json = await http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "application/json", origin: appOrigin }, body: JSON.stringify({ grant_type: "refresh_token", client_id: spa.clientId }) });
    assert.equal(json.body.error, "invalid_request");
    readable(json, "a JSON body");
    // The body parser refuses a type it does not read before any handler runs; Basic still names the client.
    const xml = await http(`${server.base}/oauth_token.do`, { method: "POST", headers: { "content-type": "text/xml", origin: appOrigin, authorization: basic(spa.clientId, "") }, body: "<x/>" });
    assert.equal(xml.body.error, "invalid_request");
    readable(xml, "an unread content type, the client in Basic");
    const revokeRepeated = await postForm(`${server.base}/oauth_revoke_token.do`, `client_id=${spa.clientId}&token=a&token=b`, { origin: appOrigin });
    assert.equal(revokeRepeated.body.error, "invalid_request");
    readable(revokeRepeated, "a repeated token at revocation");
  });

  test("naming a client is not enough for the others: a confidential client's client_id, a secret, another origin; Vary: Origin always", async () => {
    const confidentialId = await token({ client_id: confidential.clientId, grant_type: "implicit" }, { origin: appOrigin });
    assert.equal(confidentialId.body.error, "unsupported_grant_type");
    assert.equal(confidentialId.headers.get("access-control-allow-origin"), null, "a confidential client is not taken on its client_id");
    const withSecret = await token({ client_id: spa.clientId, client_secret: "x", grant_type: "implicit" }, { origin: appOrigin });
    assert.equal(withSecret.headers.get("access-control-allow-origin"), null);
    const otherOrigin = await token({ client_id: spa.clientId, grant_type: "implicit" }, { origin: "https://evil.example" });
    assert.equal(otherOrigin.headers.get("access-control-allow-origin"), null);
    const noOrigin = await token({ client_id: spa.clientId, grant_type: "implicit" }, {});
    assert.equal(noOrigin.headers.get("access-control-allow-origin"), null);
    assert.match(noOrigin.headers.get("vary") ?? "", /Origin/, "an answer without CORS must not be reused for a request with an Origin");
  });
});

describe("a browser app discovers, redeems a code and revokes across origins, in Debian's chromium", { skip: browserSuiteSkip() }, () => {
  let server: TestInstance;
  let app: Server;
  let context: BrowserContext;
  let origin: string;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    app = createServer((_request, response) => void response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>app</title>"));
    await new Promise<void>((resolve) => app.listen(port, "127.0.0.1", resolve));
    context = await launchChromium();
  });
  after(async () => {
    await context?.close();
    app?.close();
    await server?.close();
  });

  test("every call the app makes with fetch is readable by it", async () => {
    const redirectUri = `${origin}/cb`;
    const client = await registerClient(server.instance, { public_client: true, redirect_url: redirectUri });
    const { code, verifier } = await authorizationCode(server, client.clientId, redirectUri);
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${origin}/`);
    // Each call is a form POST, as a browser app's OAuth library sends it; no helper functions,
    // since tsx's compiled helpers do not exist in the page.
    const outcome = await page.evaluate(
      async ({ issuer, clientId, code, verifier, redirectUri }) => {
        const metadata = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
        const exchange = new URLSearchParams({ grant_type: "authorization_code", client_id: clientId, code, code_verifier: verifier, redirect_uri: redirectUri });
        const tokens = await (await fetch(metadata.token_endpoint, { method: "POST", body: exchange })).json();
        const revoked = await fetch(metadata.revocation_endpoint, { method: "POST", body: new URLSearchParams({ client_id: clientId, token: tokens.refresh_token }) });
        return { issuer: metadata.issuer, tokenType: tokens.token_type, revoked: revoked.status };
      },
      { issuer: server.base, clientId: client.clientId, code, verifier, redirectUri },
    );
    assert.deepEqual(outcome, { issuer: server.base, tokenType: "Bearer", revoked: 200 });
  });
});
