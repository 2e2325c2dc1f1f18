import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, type RegisteredClient, tableCounts } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { pythonWithRequestsOAuthlib, requestsOAuthlibSkip, runPython } from "../support/python.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const redirectUri = "http://127.0.0.1:8765/cb";
const python = pythonWithRequestsOAuthlib();

describe("a public client named in HTTP Basic with an empty password (RFC 6749 §2.3.1, as requests-oauthlib sends it)", () => {
  let server: TestInstance;
  let spa: RegisteredClient;
  let confidential: RegisteredClient;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    spa = await registerClient(server.instance, { public_client: true, redirect_url: redirectUri });
    confidential = await registerClient(server.instance, { redirect_url: redirectUri });
  });
  after(() => server.close());

  async function code(clientId: string): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const browser = new FormBrowser(server.base);
    const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, state: "s", code_challenge: challenge, code_challenge_method: "S256" })}`);
    const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
    return { code: new URL((await browser.submit(consent, { action: "allow" })).location!).searchParams.get("code")!, verifier };
  }

  test("requests-oauthlib's default fetch_token redeems a public client's code", { skip: python ? false : requestsOAuthlibSkip }, async () => {
    const run = await runPython(python!, "requests_oauthlib_public_client.py", { base: server.base, client_id: spa.clientId, redirect_uri: redirectUri, ...(await code(spa.clientId)) });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { token_type: "Bearer", scope: ["useraccount"], has_refresh_token: true, whoami: "admin" });
  });

  test("it is the client_id alone: a public client's refresh works so, a confidential client's empty secret is still refused with a Basic challenge", async () => {
    const issued = await code(spa.clientId);
    const tokens = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: issued.code, code_verifier: issued.verifier, redirect_uri: redirectUri }, { authorization: basic(spa.clientId, "") });
    assert.equal(tokens.status, 200, tokens.text);
    const refreshed = await postForm(`${server.base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: tokens.body.refresh_token }, { authorization: basic(spa.clientId, "") });
    assert.equal(refreshed.status, 200, refreshed.text);

    const before = await tableCounts(server.instance.store);
    const other = await code(confidential.clientId);
    const counts = await tableCounts(server.instance.store);
    const refused = await postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code: other.code, code_verifier: other.verifier, redirect_uri: redirectUri }, { authorization: basic(confidential.clientId, "") });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, "invalid_client");
    assert.equal(refused.headers.get("www-authenticate"), 'Basic realm="portcullis"');
    assert.deepEqual(await tableCounts(server.instance.store), counts, "the refused redemption issued nothing");
    assert.notDeepEqual(counts, before);
  });
});
