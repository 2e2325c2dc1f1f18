import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";

describe("PORTCULLIS_TRUST_CA is checked when it is given, not at the first provider call", () => {
  test("start refuses a missing file or one that holds no certificate, naming the variable, before creating anything", async () => {
    const dir = tempDir();
    const notPem = path.join(dir, "not.pem");
    fs.writeFileSync(notPem, "hello");
    for (const [file, reason] of [[path.join(dir, "missing.pem"), "ENOENT"], [notPem, "not a PEM certificate"]] as const) {
      const data = path.join(dir, "data");
      const config = loadConfig({ dataDir: data, port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "silent", trustCa: file });
      await assert.rejects(startServer(config, { logger: false, print: () => {} }), (error: unknown) => error instanceof ConfigError && error.text?.key === "start.trustCa.unreadable" && error.message.includes("PORTCULLIS_TRUST_CA") && error.message.includes(file) && error.message.includes(reason));
      assert.equal(fs.existsSync(data), false, "no instance created");
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the CLI's provider commands say the same, exit 2, instead of Node's ENOENT", async () => {
    const dir = tempDir();
    let out = "";
    const write = { out: (s: string) => void (out += `${s}\n`), err: (s: string) => void (out += `${s}\n`) };
    const env = { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C", PORTCULLIS_PROVIDER_CLIENT_SECRET: "s" };
    assert.equal(await main(["node", "portcullis", "provider", "create", "--data", dir, "--name", "Crm", "--client-id", "c", "--token-url", "https://crm.example/oauth_token.do"], write, env), 0, out);
    out = "";
    const code = await main(["node", "portcullis", "provider", "token", "Crm", "--data", dir], write, { ...env, PORTCULLIS_TRUST_CA: path.join(dir, "missing.pem") });
    assert.equal(code, 2, out);
    assert.match(out, /PORTCULLIS_TRUST_CA names .*missing\.pem, which cannot be read as a PEM certificate \(ENOENT\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
