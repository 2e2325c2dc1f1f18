import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { runCli } from "../support/in-process-cli.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, ...env });

describe("a connection's health after a token request the provider refused", () => {
  const data = tempDir();
  let peer: TestInstance;
  let cc: RegisteredClient;
  let pw: RegisteredClient;
  let moved: RegisteredClient;
  before(async () => {
    peer = await startTestInstance(dialectsUnderTest()[0]!);
    cc = await registerClient(peer.instance, { grant_types: "client_credentials" });
    pw = await registerClient(peer.instance, { grant_types: "password,refresh_token" });
    moved = await registerClient(peer.instance, { grant_types: "client_credentials" });
  });
  after(async () => {
    await peer.close();
    fs.rmSync(data, { recursive: true, force: true });
  });

  test("a refused client secret marks the token still held unhealthy, with the reason and the time, until a new secret is given or a token is obtained again", async () => {
    const created = await cli(["provider", "create", "--data", data, "--name", "Dev", "--client-id", cc.clientId, "--token-url", `${peer.base}/oauth_token.do`], { PORTCULLIS_PROVIDER_CLIENT_SECRET: cc.secret });
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(["provider", "token", "Dev", "--data", data])).code, 0);
    const wrong = await cli(["provider", "update", "Dev", "--data", data, "--new-secret-env", "DEV_SECRET"], { DEV_SECRET: "not the secret" });
    assert.equal(wrong.code, 0, wrong.stderr);

    const startedAt = Date.now();
    const refused = await cli(["provider", "token", "Dev", "--data", data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /401 invalid_client/);

    const list = await cli(["provider", "list", "--data", data]);
    assert.match(list.stdout, /^Dev .*unhealthy: token request \(client_credentials\) failed: the token endpoint answered 401 invalid_client.* \(failed .+ UTC; calls still use the token held until it expires\)$/m);
    assert.doesNotMatch(list.stdout, /healthy$/m);
    const korean = await cli(["provider", "list", "--data", data, "--lang", "ko"]);
    assert.match(korean.stdout, /^Dev .*비정상: 토큰 요청\(client_credentials\) 실패: 토큰 엔드포인트가 401 invalid_client.*에 실패, 호출에는 보유한 토큰을 만료될 때까지 계속 씁니다\)$/m);
    const json = JSON.parse((await cli(["provider", "show", "Dev", "--data", data, "--json"])).stdout);
    assert.equal(json.connection_status, "unhealthy");
    assert.match(json.connection_reason, /^token request \(client_credentials\) failed: the token endpoint answered 401 invalid_client/);
    assert.ok(Date.parse(json.connection_failed_at) >= startedAt - 1000, json.connection_failed_at);
    // The token held still works, as the status says.
    assert.equal((await cli(["provider", "call", "Dev", "GET", "/api/now/v1/whoami", "--data", data])).code, 0);

    const fixed = await cli(["provider", "update", "Dev", "--data", data, "--new-secret-env", "DEV_SECRET"], { DEV_SECRET: cc.secret });
    assert.equal(fixed.code, 0, fixed.stderr);
    // The refusal answered the old secret: the edit that replaces it lifts the mark, before any request.
    const lifted = JSON.parse((await cli(["provider", "show", "Dev", "--data", data, "--json"])).stdout);
    assert.deepEqual([lifted.connection_status, lifted.connection_reason, lifted.connection_failed_at], ["healthy", "", ""]);
    const again = await cli(["provider", "token", "Dev", "--data", data]);
    assert.match(again.stdout, /status healthy/);
    const healthy = JSON.parse((await cli(["provider", "show", "Dev", "--data", data, "--json"])).stdout);
    assert.deepEqual([healthy.connection_status, healthy.connection_reason, healthy.connection_failed_at], ["healthy", "", ""]);
  });

  test("a new token URL lifts the mark the old one earned, in the same edit", async () => {
    const created = await cli(["provider", "create", "--data", data, "--name", "Moved", "--client-id", moved.clientId, "--token-url", `${peer.base}/oauth_token.do`], { PORTCULLIS_PROVIDER_CLIENT_SECRET: moved.secret });
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(["provider", "token", "Moved", "--data", data])).code, 0);
    assert.equal((await cli(["provider", "update", "Moved", "--data", data, "--token-url", `${peer.base}/no_such_token.do`])).code, 0);
    assert.equal((await cli(["provider", "token", "Moved", "--data", data])).code, 1);
    const marked = JSON.parse((await cli(["provider", "show", "Moved", "--data", data, "--json"])).stdout);
    assert.equal(marked.connection_status, "unhealthy");
    assert.notEqual(marked.connection_failed_at, "");

    const fixed = await cli(["provider", "update", "Moved", "--data", data, "--token-url", `${peer.base}/oauth_token.do`]);
    assert.equal(fixed.code, 0, fixed.stderr);
    const lifted = JSON.parse((await cli(["provider", "show", "Moved", "--data", data, "--json"])).stdout);
    assert.deepEqual([lifted.connection_status, lifted.connection_reason, lifted.connection_failed_at], ["healthy", "", ""]);
    // The token held was kept (the server is the same), and the next request is judged afresh.
    assert.equal((await cli(["provider", "call", "Moved", "GET", "/api/now/v1/whoami", "--data", data])).code, 0);
  });

  test("an edit that leaves the client, secret and token URL as they were keeps the mark", async () => {
    assert.equal((await cli(["provider", "update", "Moved", "--data", data, "--token-url", `${peer.base}/no_such_token.do`])).code, 0);
    assert.equal((await cli(["provider", "token", "Moved", "--data", data])).code, 1);
    assert.equal((await cli(["provider", "update", "Moved", "--data", data, "--scope", "useraccount"])).code, 0);
    assert.equal(JSON.parse((await cli(["provider", "show", "Moved", "--data", data, "--json"])).stdout).connection_status, "unhealthy");
  });

  test("a password the provider refuses for one password-grant request leaves the connection as it was", async () => {
    const created = await cli(["provider", "create", "--data", data, "--name", "As admin", "--client-id", pw.clientId, "--token-url", `${peer.base}/oauth_token.do`, "--default-grant", "password"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: pw.secret });
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(["provider", "token", "As admin", "--data", data, "--username", "admin"], { PORTCULLIS_PROVIDER_PASSWORD: adminPassword })).code, 0);
    const typo = await cli(["provider", "token", "As admin", "--data", data, "--username", "admin"], { PORTCULLIS_PROVIDER_PASSWORD: "not the password" });
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /invalid_grant/);
    assert.equal(JSON.parse((await cli(["provider", "show", "As admin", "--data", data, "--json"])).stdout).connection_status, "healthy");
  });
});
