import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { expectedIssuer } from "../../src/consumer/issuer-discovery.ts";
import { recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * RFC 9207's expected issuer for providers whose issuer has a path, as Keycloak's realms do
 * (`/realms/x`, with the authorization endpoint at `/realms/x/protocol/openid-connect/auth`):
 * their metadata is found above the endpoint, and only metadata about this provider counts.
 */
describe("the expected issuer of a provider whose issuer has a path", () => {
  let consumer: TestInstance;
  let server: http.Server;
  let base = "";
  /** Documents served, by path; everything else is a 404. */
  const documents = new Map<string, object>();
  before(async () => {
    consumer = await startTestInstance(dialectsUnderTest()[0]!);
    server = http.createServer((request, response) => {
      const document = documents.get(request.url ?? "");
      if (!document) return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await consumer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const provider = (authorizationPath: string) =>
    recordProvider(consumer.instance, { client_id: `kc-${Math.random()}`, client_secret: "s", token_url: `${base}/realms/x/protocol/openid-connect/token`, authorization_url: `${base}${authorizationPath}`, default_grant: "authorization_code" });
  const realm = () => ({ issuer: `${base}/realms/x`, authorization_endpoint: `${base}/realms/x/protocol/openid-connect/auth`, authorization_response_iss_parameter_supported: true });

  test("Keycloak's place (OpenID discovery under the realm) gives the realm's issuer", async () => {
    documents.clear();
    documents.set("/realms/x/.well-known/openid-configuration", realm());
    assert.equal(await expectedIssuer(consumer.instance, await provider("/realms/x/protocol/openid-connect/auth")), `${base}/realms/x`);
  });

  test("RFC 8414's place for an issuer with a path (the well-known path inserted) counts too", async () => {
    documents.clear();
    documents.set("/.well-known/oauth-authorization-server/realms/x", realm());
    assert.equal(await expectedIssuer(consumer.instance, await provider("/realms/x/protocol/openid-connect/auth")), `${base}/realms/x`);
  });

  test("metadata about another endpoint, or naming another issuer than where it was found, is not this provider's", async () => {
    documents.clear();
    documents.set("/realms/x/.well-known/openid-configuration", { ...realm(), authorization_endpoint: `${base}/realms/other/auth` });
    assert.equal(await expectedIssuer(consumer.instance, await provider("/realms/x/protocol/openid-connect/auth")), null);
    documents.set("/realms/x/.well-known/openid-configuration", { ...realm(), issuer: "https://attacker.example" });
    assert.equal(await expectedIssuer(consumer.instance, await provider("/realms/x/protocol/openid-connect/auth")), null);
  });

  test("a realm behind a proxy's path prefix is found: the issuers looked for are the nearest above the endpoint", async () => {
    documents.clear();
    const prefixed = { ...realm(), issuer: `${base}/a/b/c/realms/x`, authorization_endpoint: `${base}/a/b/c/realms/x/protocol/openid-connect/auth` };
    documents.set("/a/b/c/realms/x/.well-known/openid-configuration", prefixed);
    assert.equal(await expectedIssuer(consumer.instance, await provider("/a/b/c/realms/x/protocol/openid-connect/auth")), `${base}/a/b/c/realms/x`);
  });

  test("a realm that does not say it sends iss expects none; an endpoint at the root keeps the origin's metadata", async () => {
    documents.clear();
    documents.set("/realms/x/.well-known/openid-configuration", { ...realm(), authorization_response_iss_parameter_supported: false });
    assert.equal(await expectedIssuer(consumer.instance, await provider("/realms/x/protocol/openid-connect/auth")), null);
    documents.clear();
    documents.set("/.well-known/oauth-authorization-server", { issuer: base, authorization_endpoint: `${base}/authorize`, authorization_response_iss_parameter_supported: true });
    assert.equal(await expectedIssuer(consumer.instance, await provider("/authorize")), base);
  });
});
