import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pythonWithRequestsOAuthlib, requestsOAuthlibSkip, runPython } from "../support/python.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const python = pythonWithRequestsOAuthlib();
const skip = python ? false : requestsOAuthlibSkip;

for (const dialect of dialectsUnderTest()) {
  describe(`requests-oauthlib against the https instance, trusting the development CA, on ${dialect.name}`, { skip }, () => {
    let server: TestInstance;
    let client: RegisteredClient;
    before(async () => {
      server = await startTestInstance(dialect, { https: true });
      client = await registerClient(server.instance, { grant_types: ["password", "refresh_token", "client_credentials"], access_token_lifespan: 600 });
    });
    after(() => server?.close());

    test("password grant (Basic), refresh (body credentials) and client_credentials, with verify= and REQUESTS_CA_BUNDLE", async () => {
      const run = await runPython(python!, "requests_oauthlib_client.py", {
        base: server.base,
        ca_file: path.join(server.instance.config.dataDir, "tls", "ca.pem"),
        client_id: client.clientId,
        client_secret: client.secret,
        username: "admin",
        password: adminPassword,
      });
      assert.equal(run.code, 0, run.stderr);
      const seen = JSON.parse(run.stdout);
      // oauthlib hands the scope back as a list.
      assert.deepEqual(seen.password, { token_type: "Bearer", scope: ["useraccount"], expires_in: 599, has_refresh_token: true });
      assert.equal(seen.password_whoami, "admin");
      assert.equal(seen.refreshed, true);
      assert.equal(seen.refreshed_whoami, "admin");
      assert.deepEqual(seen.client_credentials, { token_type: "Bearer", scope: ["useraccount"], expires_in: 599 });
      assert.equal(seen.client_credentials_whoami, client.clientId);
      assert.equal(seen.untrusted, "SSLError: CERTIFICATE_VERIFY_FAILED");
    });
  });
}
