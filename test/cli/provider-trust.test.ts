import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createCertificateAuthority } from "../../src/tls/certificate-issuer.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { runCli } from "../support/in-process-cli.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, ...env });

describe("a provider whose TLS certificate comes from a CA this side does not trust: the error says how to trust it", () => {
  const data = tempDir();
  let peer: TestInstance;
  let peerCa: string;
  let otherCa: string;
  before(async () => {
    peer = await startTestInstance(dialectsUnderTest()[0]!, { https: true });
    peerCa = path.join(peer.instance.config.dataDir, "tls", "ca.pem");
    otherCa = path.join(data, "other-ca.pem");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(otherCa, (await createCertificateAuthority("Another CA", { days: 30 })).certificate);
    const client = await registerClient(peer.instance, { grant_types: "client_credentials" });
    const created = await cli(["provider", "create", "--data", data, "--name", "TLS peer", "--client-id", client.clientId, "--token-url", `${peer.base}/oauth_token.do`], { PORTCULLIS_PROVIDER_CLIENT_SECRET: client.secret });
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await peer.close();
    fs.rmSync(data, { recursive: true, force: true });
  });

  test("without PORTCULLIS_TRUST_CA: names the variable and where a development CA is kept, in English and Korean", async () => {
    const refused = await cli(["provider", "token", "TLS peer", "--data", data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /"TLS peer" did not issue a token: cannot reach https:\/\/localhost:\d+: unable to verify the first certificate\. Its certificate is issued by a CA not trusted here: set PORTCULLIS_TRUST_CA to a PEM file holding that CA \(.*tls\/ca\.pem\)/);
    const korean = await cli(["provider", "token", "TLS peer", "--data", data, "--lang", "ko"]);
    assert.match(korean.stderr, /신뢰하지 않는 CA가 발급한 인증서입니다\. 그 CA가 든 PEM 파일을 PORTCULLIS_TRUST_CA로 지정하세요\(.*tls\/ca\.pem/);
  });

  test("with a PORTCULLIS_TRUST_CA that holds another CA: names the file to add it to", async () => {
    const refused = await cli(["provider", "token", "TLS peer", "--data", data], { PORTCULLIS_TRUST_CA: otherCa });
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(`Its certificate is issued by a CA that PORTCULLIS_TRUST_CA (${otherCa}) does not hold: add that CA to the file`), refused.stderr);
  });

  test("the cure the message names works: the peer's tls/ca.pem as PORTCULLIS_TRUST_CA", async () => {
    const trusted = await cli(["provider", "token", "TLS peer", "--data", data], { PORTCULLIS_TRUST_CA: peerCa });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /status healthy/);
  });
});
