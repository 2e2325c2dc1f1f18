import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FormBrowser } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const redirectUri = "https://client.example/cb";

describe("repeated authorization request parameters (RFC 6749 §3.1, §4.1.2.1)", () => {
  let server: TestInstance;
  let client: RegisteredClient;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
    client = await registerClient(server.instance, { redirect_url: redirectUri });
  });
  after(() => server.close());

  /** The request as a query string, with `repeat` sent twice. */
  function query(repeat: string): string {
    const { challenge } = pkcePair();
    const params = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, scope: "useraccount", state: "s-1", code_challenge: challenge, code_challenge_method: "S256" });
    params.append(repeat, params.get(repeat)!);
    return params.toString();
  }

  for (const name of ["response_type", "scope", "code_challenge", "code_challenge_method"]) {
    test(`a repeated ${name} is redirected back as invalid_request, with the state`, async () => {
      const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${query(name)}`);
      assert.equal(page.status, 303, page.html);
      const back = new URL(page.location!);
      assert.equal(`${back.origin}${back.pathname}`, redirectUri);
      assert.equal(back.searchParams.get("error"), "invalid_request");
      assert.match(back.searchParams.get("error_description")!, new RegExp(name));
      assert.equal(back.searchParams.get("state"), "s-1");
      assert.equal(back.searchParams.get("iss"), server.base);
    });
  }

  test("a repeated state cannot be echoed: invalid_request without one", async () => {
    const back = new URL((await new FormBrowser(server.base).get(`/oauth_auth.do?${query("state")}`)).location!);
    assert.equal(back.searchParams.get("error"), "invalid_request");
    assert.equal(back.searchParams.get("state"), null);
  });

  for (const name of ["client_id", "redirect_uri"]) {
    test(`a repeated ${name} is shown on a page naming it, never redirected`, async () => {
      const page = await new FormBrowser(server.base).get(`/oauth_auth.do?${query(name)}`);
      assert.equal(page.status, 400);
      assert.equal(page.location, null);
      assert.match(page.html, new RegExp(`The parameter ${name} was sent more than once`));
    });
  }
});
