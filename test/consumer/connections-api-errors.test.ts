import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connectionStatus } from "../../src/store/obtained-token-store.ts";
import { apiCall, peerAndConsumer, recordProvider } from "../support/consumer.ts";
import { registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";

describe("the connections API's refusals say what to do, in the Table API's envelope", () => {
  const instances = peerAndConsumer(dialectsUnderTest()[0]!);

  test("a token asked for an authorization_code provider, or with grant_type authorization_code, names this record's authorize page; another grant names the two that work", async () => {
    const client = await registerClient(instances.peer.instance, { grant_types: "client_credentials" });
    const other = await registerClient(instances.peer.instance, { grant_types: "authorization_code", redirect_url: `${instances.consumer.base}/oauth_redirect.do` });
    const browserOnly = await recordProvider(instances.consumer.instance, { client_id: other.clientId, client_secret: other.secret, token_url: `${instances.peer.base}/oauth_token.do`, authorization_url: `${instances.peer.base}/oauth_auth.do`, default_grant: "authorization_code" });
    const machine = await recordProvider(instances.consumer.instance, { client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do` });
    const token = (id: string, body: unknown) => apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${id}/token`, body);

    const byDefault = await token(browserOnly.sysId, {});
    assert.equal(byDefault.status, 400, byDefault.text);
    assert.equal(byDefault.body.error.message, `grant_type: authorization_code needs a browser: sign in to the admin UI as an admin and open ${instances.consumer.base}${connections}/${browserOnly.sysId}/authorize`);
    assert.doesNotMatch(byDefault.text, /\{id\}/);

    const asked = await token(machine.sysId, { grant_type: "authorization_code" });
    assert.equal(asked.status, 400, asked.text);
    assert.equal(asked.body.error.message, `grant_type: authorization_code needs a browser: sign in to the admin UI as an admin and open ${instances.consumer.base}${connections}/${machine.sysId}/authorize`);
    assert.equal(asked.body.error.detail, `invalid_request: ${asked.body.error.message}`);

    const unknown = await token(machine.sysId, { grant_type: "implicit" });
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.body.error.message, "grant_type: must be client_credentials or password: authorization_code needs a browser (Get OAuth Token on the provider's page in the admin UI)");
    assert.doesNotMatch(unknown.text, /Invalid option/);

    const noLogin = await token(machine.sysId, { grant_type: "password" });
    assert.equal(noLogin.body.error.message, "username: the password grant needs username and password");
    for (const provider of [browserOnly, machine]) assert.equal(await connectionStatus(instances.consumer.instance.store.db, provider.sysId), undefined, "no token stored");
  });

  test("a provider no record has is a 404 whose detail names what was looked for, and how", async () => {
    for (const [method, path, body] of [["POST", `${connections}/No%20such%20provider/token`, {}], ["POST", `${connections}/0123456789abcdef0123456789abcdef/call`, { method: "GET", path: "/x" }]] as const) {
      const missing = await apiCall(instances.consumer, instances.bearer, method, path, body);
      assert.equal(missing.status, 404, missing.text);
      const id = decodeURIComponent(path.split("/")[4]!);
      assert.deepEqual(missing.body, { error: { message: `no provider has the sys_id or name "${id}"`, detail: `not_found: no provider has the sys_id or name "${id}"` }, status: "failure" });
    }
  });

  test("a call's path off the provider is an invalid_request whose detail names it, as the Table and Import APIs say it", async () => {
    const client = await registerClient(instances.peer.instance, { grant_types: "client_credentials" });
    const provider = await recordProvider(instances.consumer.instance, { client_id: client.clientId, client_secret: client.secret, token_url: `${instances.peer.base}/oauth_token.do` });
    const call = await apiCall(instances.consumer, instances.bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "https://evil.example/x" });
    assert.equal(call.status, 400, call.text);
    assert.deepEqual(call.body, {
      error: { message: "path: must be a path on the provider, starting with a single /", detail: "invalid_request: path: must be a path on the provider, starting with a single /" },
      status: "failure",
    });
    // The Table API says a bad request the same way.
    const table = await apiCall(instances.consumer, instances.bearer, "GET", "/api/now/table/incident?sysparm_limit=-1");
    assert.equal(table.status, 400, table.text);
    assert.match(table.body.error.detail, /^invalid_request: /);
  });
});
