import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "../support/requests_oauthlib_client.py");

/**
 * The Debian package python3-requests-oauthlib installs for Debian's own interpreter, which
 * may not be the first python3 on PATH (pyenv and the like); try both.
 */
function pythonWithRequestsOAuthlib(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(candidate, ["-c", "import requests_oauthlib, requests"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function runPython(python: string, input: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    // The script decides trust itself; an inherited bundle setting would hide a failure.
    delete env.REQUESTS_CA_BUNDLE;
    delete env.CURL_CA_BUNDLE;
    delete env.SSL_CERT_FILE;
    const child = spawn(python, [script], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

const python = pythonWithRequestsOAuthlib();
const skip = python ? false : "python3 with requests-oauthlib is not installed (Debian: apt-get install python3-requests-oauthlib)";

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
      const run = await runPython(python!, {
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
