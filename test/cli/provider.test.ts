import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { keyFileName } from "../../src/consumer/secret-box.ts";
import { updateClient } from "../../src/store/oauth-entity-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { runCli } from "../support/in-process-cli.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, ...env });

describe("portcullis provider … (this instance as OAuth client, from the command line)", () => {
  const data = tempDir();
  let peer: TestInstance;
  let cc: RegisteredClient;
  let pw: RegisteredClient;
  before(async () => {
    peer = await startTestInstance(dialectsUnderTest()[0]!);
    cc = await registerClient(peer.instance, { grant_types: "client_credentials" });
    pw = await registerClient(peer.instance, { grant_types: "password,refresh_token" });
  });
  after(async () => {
    await peer.close();
    fs.rmSync(data, { recursive: true, force: true });
  });

  test("create takes the secret from an environment variable, never an argument, and never shows it", async () => {
    const missing = await cli(["provider", "create", "--data", data, "--name", "Peer", "--client-id", cc.clientId, "--token-url", `${peer.base}/oauth_token.do`]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /PORTCULLIS_PROVIDER_CLIENT_SECRET/);
    const created = await cli(["provider", "create", "--data", data, "--name", "Peer", "--client-id", cc.clientId, "--token-url", `${peer.base}/oauth_token.do`, "--json"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: cc.secret });
    assert.equal(created.code, 0, created.stderr);
    const record = JSON.parse(created.stdout);
    assert.equal(record.client_secret, "");
    assert.match(record.redirect_url, /\/oauth_redirect\.do$/);
    // The key file was created on first use, readable by its owner only.
    assert.equal(fs.statSync(path.join(data, keyFileName)).mode & 0o777, 0o600);
    const shown = await cli(["provider", "show", "Peer", "--data", data]);
    assert.ok(!shown.stdout.includes(cc.secret));
    assert.match(shown.stdout, /connection_status +no token$/m);
    const bad = await cli(["provider", "create", "--data", data, "--name", "Bad", "--client-id", "x", "--token-url", "not a url"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: "s" });
    assert.equal(bad.code, 2);
    // A choice that is not one says which are, in the reader's language; a mistyped grant is not taken for one that needs a browser.
    const grant = await cli(["provider", "create", "--data", data, "--name", "Bad", "--client-id", "x", "--token-url", `${peer.base}/oauth_token.do`, "--default-grant", "bogus", "--lang", "ko"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: "s" });
    assert.equal(grant.code, 2);
    assert.match(grant.stderr, /default_grant: 다음 중 하나여야 합니다: authorization_code, client_credentials, password/);
    const typo = await cli(["provider", "token", "Peer", "--data", data, "--grant", "client_credential"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /grant: must be client_credentials or password: /);
    assert.doesNotMatch(typo.stderr, /client_credential needs a browser/);
  });

  test("token (client_credentials), call, list, and a password grant with the password from the environment", async () => {
    const token = await cli(["provider", "token", "Peer", "--data", data]);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /status healthy/);
    const call = await cli(["provider", "call", "Peer", "GET", "/api/now/v1/whoami", "--data", data]);
    assert.equal(call.code, 0, call.stderr);
    assert.equal(JSON.parse(call.stdout).result.client_id, cc.clientId);

    await cli(["provider", "create", "--data", data, "--name", "Peer as admin", "--client-id", pw.clientId, "--token-url", `${peer.base}/oauth_token.do`, "--default-grant", "password", "--credentials", "body"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: pw.secret });
    const noPassword = await cli(["provider", "token", "Peer as admin", "--data", data, "--username", "admin"]);
    assert.equal(noPassword.code, 2);
    const withPassword = await cli(["provider", "token", "Peer as admin", "--data", data, "--username", "admin"], { PORTCULLIS_PROVIDER_PASSWORD: adminPassword });
    assert.equal(withPassword.code, 0, withPassword.stderr);
    const who = await cli(["provider", "call", "Peer as admin", "get", "/api/now/v1/whoami", "--data", data]);
    assert.equal(JSON.parse(who.stdout).result.user_name, "admin");
    const list = await cli(["provider", "list", "--data", data]);
    assert.match(list.stdout, /Peer as admin .*password/);
    const refused = await cli(["provider", "call", "Peer", "GET", "/api/now/v1/nothing-here", "--data", data]);
    assert.equal(refused.code, 1);
  });

  test("token --grant names the grants it can get without a browser, not authorization_code among them", async () => {
    const wrong = await cli(["provider", "token", "Peer", "--data", data, "--grant", "foo"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /^ {2}grant: must be client_credentials or password: authorization_code needs a browser \(Get OAuth Token on the provider's page in the admin UI\)$/m);
    assert.doesNotMatch(wrong.stderr, /one of authorization_code/);
    const korean = await cli(["provider", "token", "Peer", "--data", data, "--grant", "foo", "--lang", "ko"]);
    assert.match(korean.stderr, /^ {2}grant: client_credentials 또는 password여야 합니다\. authorization_code에는 브라우저가 필요합니다/m);
  });

  test("call refuses a path that leaves the provider, in the reader's language", async () => {
    const english = await cli(["provider", "call", "Peer", "GET", "https://evil.example/x", "--data", data]);
    assert.equal(english.code, 2);
    assert.match(english.stderr, /^ {2}path: must be a path on the provider, starting with a single \/$/m);
    for (const path of ["https://evil.example/x", "//evil.example/x"]) {
      const korean = await cli(["provider", "call", "Peer", "GET", path, "--data", data, "--lang", "ko"]);
      assert.equal(korean.code, 2);
      assert.match(korean.stderr, /^ {2}path: 공급자의 경로여야 하며 \/ 하나로 시작해야 합니다$/m, path);
      assert.doesNotMatch(korean.stderr, /must be/);
    }
  });

  test("a token the provider refuses is reported naming the provider, in the reader's language", async () => {
    const created = await cli(["provider", "create", "--data", data, "--name", "Wrong Secret", "--client-id", cc.clientId + "-not-issued", "--token-url", `${peer.base}/oauth_token.do`], { PORTCULLIS_PROVIDER_CLIENT_SECRET: "not-the-secret" });
    assert.equal(created.code, 0, created.stderr);
    const refused = await cli(["provider", "token", "Wrong Secret", "--data", data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^portcullis: "Wrong Secret" did not issue a token: the token endpoint answered 401 invalid_client/m);
    const korean = await cli(["provider", "token", "Wrong Secret", "--data", data, "--lang", "ko"]);
    assert.match(korean.stderr, /^portcullis: "Wrong Secret"에서 토큰을 받지 못했습니다: 토큰 엔드포인트가 401 invalid_client/m);
    assert.equal((await cli(["provider", "delete", "Wrong Secret", "--data", data])).code, 0);
  });

  test("update changes only what is given; a new secret comes from an environment variable; a refused update changes nothing", async () => {
    const before = JSON.parse((await cli(["provider", "show", "Peer", "--data", data, "--json"])).stdout);
    assert.equal(before.connection_status, "healthy");
    const scoped = await cli(["provider", "update", "Peer", "--data", data, "--scope", "useraccount", "--credentials", "body"]);
    assert.equal(scoped.code, 0, scoped.stderr);
    assert.match(scoped.stdout, /Updated provider "Peer": credential_style, scope\./);
    const after = JSON.parse((await cli(["provider", "show", "Peer", "--data", data, "--json"])).stdout);
    assert.deepEqual({ ...after, scope: before.scope, credential_style: before.credential_style, sys_updated_on: before.sys_updated_on, sys_mod_count: before.sys_mod_count }, before, "nothing else changed, and the token stays");
    assert.equal(after.sys_mod_count, before.sys_mod_count + 1);

    const noSecret = await cli(["provider", "update", "Peer", "--data", data, "--new-secret-env", "NEW_PEER_SECRET"]);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /NEW_PEER_SECRET/);
    const bad = await cli(["provider", "update", "Peer", "--data", data, "--default-grant", "authorization_code"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /authorization_url/);
    assert.equal((await cli(["provider", "update", "Nobody", "--data", data, "--scope", "x"])).code, 3);
    assert.deepEqual(JSON.parse((await cli(["provider", "show", "Peer", "--data", data, "--json"])).stdout).scope, "useraccount");

    const taken = await cli(["provider", "update", "Peer", "--data", data, "--client-id", pw.clientId]);
    assert.equal(taken.code, 2, "another provider holds that client ID");
    assert.match(taken.stderr, /client_id/);
    const next = await registerClient(peer.instance, { grant_types: "client_credentials" });
    const moved = await cli(["provider", "update", "Peer", "--data", data, "--client-id", next.clientId, "--new-secret-env", "NEW_PEER_SECRET", "--json"], { NEW_PEER_SECRET: next.secret });
    assert.equal(moved.code, 0, moved.stderr);
    const record = JSON.parse(moved.stdout);
    assert.deepEqual([record.client_id, record.token_discarded, record.changed], [next.clientId, true, ["client_id", "client_secret"]]);
    assert.ok(!moved.stdout.includes(next.secret));
    assert.match((await cli(["provider", "show", "Peer", "--data", data])).stdout, /connection_status +no token$/m);
    const back = await cli(["provider", "update", "Peer", "--data", data, "--client-id", cc.clientId, "--new-secret-env", "NEW_PEER_SECRET"], { NEW_PEER_SECRET: cc.secret });
    assert.equal(back.code, 0, back.stderr);
    assert.equal((await cli(["provider", "token", "Peer", "--data", data])).code, 0);
  });

  test("update: a token or revocation URL on another server needs --new-secret-env in the same update; http beyond loopback needs --allow-http", async () => {
    const before = JSON.parse((await cli(["provider", "show", "Peer", "--data", data, "--json"])).stdout);
    const elsewhere = `${peer.base.replace("127.0.0.1", "localhost")}/oauth_token.do`;
    const refused = await cli(["provider", "update", "Peer", "--data", data, "--token-url", elsewhere]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`--new-secret-env: ${new URL(elsewhere).origin} is a server the stored secret was not entered for`));
    const plain = await cli(["provider", "update", "Peer", "--data", data, "--revocation-url", "http://peer.example/oauth_revoke_token.do"]);
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /revocation_url: "http:\/\/peer\.example\/oauth_revoke_token\.do" uses http/);
    assert.deepEqual(JSON.parse((await cli(["provider", "show", "Peer", "--data", data, "--json"])).stdout), before, "nothing changed");
    const created = await cli(["provider", "create", "--data", data, "--name", "Plain", "--client-id", "plain-id", "--token-url", "http://peer.example/oauth_token.do"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: "s" });
    assert.equal(created.code, 2);
    assert.match(created.stderr, /token_url: .* uses http/);
    const allowed = await cli(["provider", "create", "--data", data, "--name", "Plain", "--client-id", "plain-id", "--token-url", "http://peer.example/oauth_token.do", "--allow-http", "--json"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: "s" });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout).allow_http, true);
    assert.equal((await cli(["provider", "update", "Plain", "--data", data, "--no-allow-http"])).code, 2, "not while an http URL needs it");
    assert.equal((await cli(["provider", "delete", "Plain", "--data", data])).code, 0);
  });

  test("list says why a connection is unhealthy", async () => {
    const flaky = await registerClient(peer.instance, { grant_types: "client_credentials" });
    const created = await cli(["provider", "create", "--data", data, "--name", "Flaky", "--client-id", flaky.clientId, "--token-url", `${peer.base}/oauth_token.do`], { PORTCULLIS_PROVIDER_CLIENT_SECRET: flaky.secret });
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(["provider", "token", "Flaky", "--data", data])).code, 0);
    await updateClient(peer.instance.store.db, flaky.sysId, { active: false }, "test");
    assert.equal((await cli(["provider", "call", "Flaky", "GET", "/api/now/v1/whoami", "--data", data])).code, 1);
    const list = await cli(["provider", "list", "--data", data]);
    assert.match(list.stdout, /^Flaky .*unhealthy: refresh failed: .*invalid_client/m);
    // The provider refused the token held (its client was deactivated): calls do not "still use it until it expires".
    assert.match(list.stdout, /^Flaky .*the provider had refused the token held \(401\) \(failed .+; the provider refused the token held, so calls fail until a refresh succeeds: a call tries one again at most every 30 seconds\)$/m);
    assert.doesNotMatch(list.stdout, /^Flaky .*calls still use the token held/m);
    // The reason is kept as a catalog text: Korean for a Korean reader, English for scripts reading --json.
    const korean = await cli(["provider", "list", "--data", data, "--lang", "ko"]);
    assert.match(korean.stdout, /^Flaky .*비정상: 갱신 실패: 토큰 엔드포인트가 401 invalid_client.*공급자가 보유한 토큰을 거부했으므로 갱신에 성공할 때까지 호출은 실패합니다\. 갱신은 호출할 때 30초에 한 번까지 다시 시도합니다\)$/m);
    const failed = await cli(["provider", "call", "Flaky", "GET", "/api/now/v1/whoami", "--data", data, "--lang", "ko"]);
    assert.match(failed.stderr, /^portcullis: “Flaky” 연결이 비정상입니다: 갱신 실패: /m);
    const json = JSON.parse((await cli(["provider", "show", "Flaky", "--data", data, "--json", "--lang", "ko"])).stdout);
    assert.match(json.connection_reason, /^refresh failed: the token endpoint answered 401 invalid_client/);
    assert.equal((await cli(["provider", "delete", "Flaky", "--data", data])).code, 0);
  });

  test("a provider that does not revoke the tokens: delete and update still do their change, and exit 4 saying what is left to do", async () => {
    const unrevoked = await registerClient(peer.instance, { grant_types: "client_credentials" });
    const create = (name: string) => cli(["provider", "create", "--data", data, "--name", name, "--client-id", unrevoked.clientId, "--token-url", `${peer.base}/oauth_token.do`, "--revocation-url", `${peer.base}/no/such/revocation`], { PORTCULLIS_PROVIDER_CLIENT_SECRET: unrevoked.secret });
    assert.equal((await create("Unrevoked")).code, 0);
    assert.equal((await cli(["provider", "token", "Unrevoked", "--data", data])).code, 0);
    const deleted = await cli(["provider", "delete", "Unrevoked", "--data", data]);
    assert.equal(deleted.code, 4, deleted.stderr);
    assert.match(deleted.stdout, /^Deleted provider "Unrevoked"\.$/m);
    assert.match(deleted.stderr, /^portcullis: The provider did not revoke its tokens \(the revocation endpoint answered 404.*\): revoke them there by hand\.$/m);
    assert.equal((await cli(["provider", "show", "Unrevoked", "--data", data])).code, 3, "the record is gone all the same");

    assert.equal((await create("Moved client")).code, 0);
    assert.equal((await cli(["provider", "token", "Moved client", "--data", data])).code, 0);
    const updated = await cli(["provider", "update", "Moved client", "--data", data, "--client-id", "another-client", "--lang", "ko"]);
    assert.equal(updated.code, 4, updated.stderr);
    assert.match(updated.stderr, /^portcullis: 이전 공급자가 토큰을 해지하지 않았습니다\(.*\)\. 그곳에서 직접 해지하세요\.$/m);
    assert.equal(JSON.parse((await cli(["provider", "show", "Moved client", "--data", data, "--json"])).stdout).client_id, "another-client", "the change is made all the same");

    const help = await cli(["provider", "delete", "--help"]);
    assert.match(help.stdout.replace(/\s+/g, " "), /exit code 4 when the provider did not revoke them/);
  });

  test("delete removes the provider and its token; an unknown one is exit 3", async () => {
    assert.equal((await cli(["provider", "delete", "Peer", "--data", data])).code, 0);
    assert.equal((await cli(["provider", "show", "Peer", "--data", data])).code, 3);
  });
});
