import assert from "node:assert/strict";
import { after, before } from "node:test";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import type { OAuthProvider, ProviderCreateInput } from "../../src/domain/oauth-provider.ts";
import { parseProviderCreate } from "../../src/domain/oauth-provider.ts";
import type { Instance } from "../../src/instance.ts";
import { createProvider } from "../../src/store/provider-store.ts";
import { FormBrowser } from "./browser.ts";
import { adminPassword, startTestInstance, type TestInstance } from "./instance.ts";
import type { DialectUnderTest } from "./stores.ts";
import { http, postForm, registerClient } from "./oauth.ts";

/** Records a third-party provider on `consumer`, as the CLI or admin API would. */
export async function recordProvider(consumer: Instance, input: Partial<ProviderCreateInput> & Pick<ProviderCreateInput, "client_id" | "client_secret" | "token_url">): Promise<OAuthProvider> {
  const settings = parseProviderCreate({ name: `Provider ${Math.random().toString(36).slice(2)}`, ...input });
  return createProvider(consumer.store.db, instanceSecretBox(consumer), settings, `${consumer.config.publicUrl}/oauth_redirect.do`, "test");
}

/** A bearer token of the instance's admin, from its own password grant. */
export async function adminBearer(server: TestInstance): Promise<string> {
  const client = await registerClient(server.instance, { grant_types: "password,refresh_token" });
  const res = await postForm(`${server.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword, client_id: client.clientId, client_secret: client.secret });
  assert.equal(res.status, 200, res.text);
  return res.body.access_token;
}

/** A browser signed in to `server` as admin (through its own login form). */
export async function signedInBrowser(server: TestInstance): Promise<FormBrowser> {
  const client = await registerClient(server.instance, { redirect_url: "https://signin.example/cb", pkce_required: false });
  const browser = new FormBrowser(server.base);
  const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://signin.example/cb" })}`);
  const done = await browser.submit(login, { user_name: "admin", user_password: adminPassword });
  assert.equal(done.status, 303, done.html);
  return browser;
}

export async function apiCall(server: TestInstance, bearer: string, method: string, path: string, body?: unknown) {
  return http(`${server.base}${path}`, { method, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/** For one describe block: a provider instance (`peer`), a consumer instance, and a bearer token of the consumer's admin. */
export function peerAndConsumer(dialect: DialectUnderTest): { readonly peer: TestInstance; readonly consumer: TestInstance; readonly bearer: string } {
  const pair = {} as { peer: TestInstance; consumer: TestInstance; bearer: string };
  before(async () => {
    [pair.peer, pair.consumer] = await Promise.all([startTestInstance(dialect), startTestInstance(dialect)]);
    pair.bearer = await adminBearer(pair.consumer);
  });
  after(async () => {
    await Promise.all([pair.peer?.close(), pair.consumer?.close()]);
  });
  return pair;
}
