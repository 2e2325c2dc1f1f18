import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { callProvider } from "../../src/consumer/outbound-call.ts";
import { obtainToken } from "../../src/consumer/connection-token.ts";
import path from "node:path";
import { tlsFiles } from "../../src/tls/development-ca.ts";
import { recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

describe("a provider served over HTTPS with a development CA", () => {
  const sqlite = dialectsUnderTest()[0]!;
  let peer: TestInstance;
  let trusting: TestInstance;
  let untrusting: TestInstance;
  before(async () => {
    peer = await startTestInstance(sqlite, { https: true });
    const ca = tlsFiles(path.join(peer.instance.config.dataDir, "tls")).caCertificate;
    [trusting, untrusting] = await Promise.all([startTestInstance(sqlite, { trustCa: ca }), startTestInstance(sqlite)]);
  });
  after(async () => {
    await Promise.all([peer, trusting, untrusting].map((s) => s?.close()));
  });

  test("with PORTCULLIS_TRUST_CA the token and the call go over verified TLS; without it they are refused", async () => {
    const client = await registerClient(peer.instance, { grant_types: "client_credentials" });
    const settings = { client_id: client.clientId, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do` };
    const good = await recordProvider(trusting.instance, settings);
    await obtainToken(trusting.instance, good, "client_credentials");
    const call = await callProvider(trusting.instance, good, { method: "GET", path: "/api/now/v1/whoami" });
    assert.equal(call.status, 200);
    const bad = await recordProvider(untrusting.instance, settings);
    await assert.rejects(obtainToken(untrusting.instance, bad, "client_credentials"), /cannot reach .*certificate/i);
  });
});
