import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { ProviderError } from "../../src/consumer/provider-http.ts";
import { secretBox } from "../../src/consumer/secret-box.ts";
import { assertSecretKeyOpensStore } from "../../src/consumer/secret-key-check.ts";
import { startServer } from "../../src/server.ts";
import { saveObtainedToken } from "../../src/store/obtained-token-store.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { recordProvider } from "../support/consumer.ts";
import { adminPassword, freePort, testSecretKey } from "../support/instance.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

const quiet = { logger: false as const, print: () => {} };

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (out += `${s}\n`), err: (s) => void (out += `${s}\n`) }, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C", ...env });
  return { code, out };
}

describe("the secret key must open the secrets the database holds", () => {
  test("a value sealed with another key fails with a named cause, not Node's 'unable to authenticate data'", () => {
    const sealed = secretBox(randomBytes(32)).seal("s3cret", "provider-secret:x");
    assert.throws(
      () => secretBox(randomBytes(32)).open(sealed, "provider-secret:x"),
      (error: unknown) => error instanceof ProviderError && error.code === "secret_key_mismatch" && /secret key/.test(error.message) && !/unable to authenticate/.test(error.message),
    );
  });

  test("SQLite: restored without secret.key, or with another key, start refuses and writes no key; the CLI can still delete the records", async () => {
    const dir = tempDir();
    // Each start on a port of its own, under the instance's one public URL (src/public-url-check.ts).
    const config = async () => loadConfig({ dataDir: dir, port: await freePort(), host: "127.0.0.1", publicUrl: "http://portcullis.test", adminPassword, logLevel: "silent" });
    const first = await startServer(await config(), quiet);
    const provider = await recordProvider(first.instance, { name: "Billing", client_id: "b", client_secret: "billing-secret", token_url: "http://127.0.0.1:9/oauth_token.do", revocation_url: "http://127.0.0.1:9/oauth_revoke_token.do" });
    await saveObtainedToken(first.instance.store.db, instanceSecretBox(first.instance), provider, "client_credentials", { accessToken: "held", expiresIn: 3600 });
    await first.close();
    const keyFile = path.join(dir, "secret.key");
    const saved = fs.readFileSync(keyFile);

    fs.rmSync(keyFile);
    await assert.rejects(startServer(await config(), quiet), (error: unknown) => error instanceof ConfigError && error.text?.key === "start.secretKey.lost" && error.message.includes(keyFile));
    assert.equal(fs.existsSync(keyFile), false, "no new key made up over the sealed secrets");
    // Nor by a CLI command that would seal a new secret with it.
    const sealing = await cli(["provider", "create", "--data", dir, "--name", "Beta", "--client-id", "b2", "--token-url", "https://beta.example/oauth_token.do"], { PORTCULLIS_PROVIDER_CLIENT_SECRET: "beta-secret" });
    assert.equal(sealing.code, 2, sealing.out);
    assert.match(sealing.out, /sealed with a secret key that is not here/);
    assert.equal(fs.existsSync(keyFile), false);

    fs.writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    await assert.rejects(startServer(await config(), quiet), (error: unknown) => error instanceof ConfigError && error.text?.key === "start.secretKey.mismatch");

    // Putting the saved key back is the cure.
    fs.writeFileSync(keyFile, saved);
    await (await startServer(await config(), quiet)).close();

    // With the key lost for good, the records can still be deleted (the token cannot be revoked, and the CLI says why), and the server starts.
    fs.writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    const deleted = await cli(["provider", "delete", "Billing", "--data", dir]);
    // Exit 4: the record is gone, and the tokens are left to revoke at the provider by hand.
    assert.equal(deleted.code, 4, deleted.out);
    assert.match(deleted.out, /Deleted provider "Billing"/);
    assert.match(deleted.out, /secret key/);
    await (await startServer(await config(), quiet)).close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const dialect of dialectsUnderTest().filter((d) => d.name !== "sqlite")) {
    test(`${dialect.name}: a node given another PORTCULLIS_SECRET_KEY refuses to start`, async () => {
      const { store, dispose } = await dialect.open();
      try {
        const config = async (secretKey: string) => loadConfig({ dataDir: tempDir(), port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "silent", secretKey });
        const first = await startServer(await config(testSecretKey), { ...quiet, store });
        try {
          await recordProvider(first.instance, { client_id: "c", client_secret: "s", token_url: "https://crm.example/oauth_token.do" });
          // A second node on the same database (its instance, its own key), checked as startServer checks it.
          const otherNode = { ...first.instance, config: { ...first.instance.config, secretKey: randomBytes(32).toString("base64") } };
          await assert.rejects(assertSecretKeyOpensStore(otherNode), (error: unknown) => error instanceof ConfigError && error.text?.key === "start.secretKey.mismatch" && /PORTCULLIS_SECRET_KEY/.test(error.message));
          const sameKey = { ...first.instance, config: { ...first.instance.config } };
          await assertSecretKeyOpensStore(sameKey);
        } finally {
          await first.close();
        }
      } finally {
        await dispose();
      }
    });

    test(`${dialect.name}: a node given another PORTCULLIS_SECRET_KEY refuses to start before any provider is recorded, so no node seals what the others cannot open`, async () => {
      const { store, dispose } = await dialect.open();
      try {
        const first = await startServer(loadConfig({ dataDir: tempDir(), port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "silent", secretKey: testSecretKey }), { ...quiet, store });
        try {
          const otherNode = { ...first.instance, config: { ...first.instance.config, secretKey: randomBytes(32).toString("base64") } };
          await assert.rejects(assertSecretKeyOpensStore(otherNode), (error: unknown) => error instanceof ConfigError && error.text?.key === "start.secretKey.otherNodes" && /PORTCULLIS_SECRET_KEY/.test(error.message));
          await assertSecretKeyOpensStore({ ...first.instance, config: { ...first.instance.config } });
        } finally {
          await first.close();
        }
      } finally {
        await dispose();
      }
    });
  }
});
