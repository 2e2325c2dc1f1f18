import assert from "node:assert/strict";
import nodeHttp from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { accessTokenFor, obtainToken } from "../../src/consumer/connection-token.ts";
import { ProviderError } from "../../src/consumer/provider-http.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import type { OAuthProvider, ProviderChanges } from "../../src/domain/oauth-provider.ts";
import { connectionStatus, leaseState } from "../../src/store/obtained-token-store.ts";
import { updateProvider } from "../../src/store/provider-store.ts";
import { recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * A token endpoint on loopback that grants the first request (with a refresh token) and holds
 * every later one open until the test lets it answer 401 invalid_client, so an admin edit lands
 * while a request sent with the old credentials is still waiting for its answer.
 */
async function holdingTokenEndpoint() {
  const seen: string[] = [];
  let arrived: () => void = () => {};
  let release: () => void = () => {};
  let arrival = new Promise<void>((resolve) => (arrived = resolve));
  let released = new Promise<void>((resolve) => (release = resolve));
  const server = nodeHttp.createServer((request, response) => {
    seen.push(`${request.url} ${request.headers.authorization ?? ""}`);
    request.resume().on("end", async () => {
      response.setHeader("content-type", "application/json");
      if (seen.length === 1) return response.end(JSON.stringify({ access_token: "first", refresh_token: "first-refresh", token_type: "Bearer", expires_in: 3600 }));
      arrived();
      await released;
      response.statusCode = 401;
      response.end(JSON.stringify({ error: "invalid_client" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    arrival: () => arrival,
    release: () => release(),
    rearm() {
      arrival = new Promise<void>((resolve) => (arrived = resolve));
      released = new Promise<void>((resolve) => (release = resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

for (const dialect of dialectsUnderTest()) {
  describe(`a token request or refresh refused after an edit replaced what it was sent with (${dialect.name})`, () => {
    let consumer: TestInstance;
    before(async () => {
      consumer = await startTestInstance(dialect);
    });
    after(() => consumer.close());

    const status = async (sysId: string) => {
      const s = await connectionStatus(consumer.instance.store.db, sysId);
      return [s?.status, s?.failedAt ?? null];
    };

    const edits: [string, (base: string) => ProviderChanges][] = [
      ["a new client secret", () => ({ client_secret: "new-secret" })],
      ["a new token URL on the same origin", (base) => ({ token_url: `${base}/moved/oauth_token.do` })],
    ];
    // A token request the admin asks for, and the refresh a call makes when the provider refused the token held ("first").
    // A refresh refused for what the record no longer holds says the record changed (try again), not that the connection is unhealthy.
    const requests: [string, (provider: OAuthProvider) => Promise<unknown>, string, string][] = [
      ["a token request", (provider) => obtainToken(consumer.instance, provider, "client_credentials"), "invalid_client", "invalid_client"],
      ["a refresh", (provider) => accessTokenFor(consumer.instance, provider, "first"), "provider_changed", "unhealthy"],
    ];
    for (const [r, [kind, send, refusedAfterEditAs, refusedAs]] of requests.entries()) {
      for (const [index, [what, edit]] of edits.entries()) {
        const clientId = `held-open-${r}-${index}`;
        test(`${what}, saved while ${kind} with the old one waits for its refusal, leaves the connection healthy; a refusal of the new one still marks it`, async () => {
          const endpoint = await holdingTokenEndpoint();
          const refusal = (code: string) => (error: unknown) => error instanceof ProviderError && error.code === code;
          try {
            const provider = await recordProvider(consumer.instance, { client_id: clientId, client_secret: "old-secret", token_url: `${endpoint.base}/oauth_token.do` });
            await obtainToken(consumer.instance, provider, "client_credentials");
            assert.deepEqual(await status(provider.sysId), ["healthy", null]);

            const refused = send(provider);
            await endpoint.arrival();
            assert.equal(endpoint.seen[1], `/oauth_token.do ${basic(clientId, "old-secret")}`, "the request went out with the old credentials");
            const { provider: edited } = await updateProvider(consumer.instance.store.db, instanceSecretBox(consumer.instance), provider.sysId, edit(endpoint.base), "admin");
            endpoint.release();
            await assert.rejects(refused, refusal(refusedAfterEditAs));
            assert.deepEqual(await status(provider.sysId), ["healthy", null], "the refusal answered credentials the record no longer holds");
            assert.equal((await leaseState(consumer.instance.store.db, provider.sysId))?.leaseUntil, null, "a refused refresh releases its lease, marked or not");

            // The same refusal of what the record holds now is the connection's.
            endpoint.rearm();
            const current = send(edited);
            await endpoint.arrival();
            endpoint.release();
            await assert.rejects(current, refusal(refusedAs));
            const [marked, failedAt] = await status(provider.sysId);
            assert.equal(marked, "unhealthy");
            assert.notEqual(failedAt, null);
          } finally {
            endpoint.release();
            await endpoint.close();
          }
        });
      }
    }
  });
}
