import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { runCli } from "../support/in-process-cli.ts";
import { tempDir } from "../support/stores.ts";
import { operatorCertificate } from "../support/tls.ts";

describe("--tls-cert and --tls-key files start cannot use are named with what to do, not in OpenSSL's words", () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = tempDir("portcullis-operator-tls-");
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("missing, a directory, empty, DER, swapped, encrypted, or another certificate's key: exit 2, one sentence, nothing created", async () => {
    const files = newDir();
    const good = await operatorCertificate(files, { names: ["localhost"] });
    const other = await operatorCertificate(newDir(), { names: ["localhost"] });
    const write = (name: string, content: string | Buffer) => {
      const file = path.join(files, name);
      fs.writeFileSync(file, content);
      return file;
    };
    const empty = write("empty.pem", "");
    const der = write("cert.der", new X509Certificate(good.pair.certificate).raw);
    const encrypted = write("encrypted-key.pem", createPrivateKey(good.pair.privateKey).export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "a passphrase" }) as string);
    const cases: [string, string, RegExp][] = [
      [path.join(files, "missing.pem"), good.keyFile, /^cannot read the TLS certificate \S+missing\.pem: there is no such file\. Give the PEM file's path with --tls-cert \(or PORTCULLIS_TLS_CERT\)\.$/],
      [files, good.keyFile, /^cannot read the TLS certificate \S+: it is a directory\. Give the PEM file's path with --tls-cert/],
      [empty, good.keyFile, /^the TLS certificate \S+empty\.pem is not a PEM certificate \(-----BEGIN CERTIFICATE-----\)\. Give the server's certificate, then its chain, in PEM form/],
      [der, good.keyFile, /^the TLS certificate \S+cert\.der is not a PEM certificate .*openssl x509 -inform der/],
      [good.keyFile, good.certFile, /^the TLS certificate \S+key\.pem holds a private key, or the key \S+cert\.pem a certificate: --tls-cert and --tls-key .* look swapped/],
      [good.certFile, encrypted, /^the TLS private key \S+encrypted-key\.pem is encrypted with a passphrase, which Portcullis cannot ask for\. Write it out unencrypted \(openssl pkey -in/],
      [good.certFile, other.keyFile, /^the TLS private key \S+key\.pem is not the key of the certificate \S+cert\.pem\. Give the key the certificate was issued for/],
    ];
    for (const [cert, key, words] of cases) {
      const data = path.join(newDir(), "instance");
      const run = await runCli(["start", "--data", data, "--port", String(await freePort()), "--tls-cert", cert, "--tls-key", key], { PORTCULLIS_ADMIN_PASSWORD: adminPassword });
      assert.equal(run.code, 2, `${cert} ${key}: ${run.stderr}`);
      const said = run.stderr.replace(/^portcullis: /, "").trimEnd();
      assert.match(said, words);
      assert.doesNotMatch(said, /routines|ENOENT|EISDIR|\n/);
      assert.equal(fs.existsSync(data), false, "nothing was created");
    }
  });

  test("a reload (SIGHUP) refused for the same reasons says so in the same words, and keeps serving the previous certificate", async () => {
    const files = newDir();
    const good = await operatorCertificate(files, { names: ["localhost"] });
    const config = loadConfig({ dataDir: newDir(), port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "silent", tlsCert: good.certFile, tlsKey: good.keyFile });
    const server = await startServer(config, { logger: false, print: () => {} });
    try {
      fs.writeFileSync(good.keyFile, createPrivateKey(good.pair.privateKey).export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "a passphrase" }));
      const lines: string[] = [];
      assert.equal(await server.reloadCertificate((line) => void lines.push(line)), false);
      assert.match(lines.join("\n"), /^The TLS certificate was not reloaded, and the previous one is still served: the TLS private key \S+key\.pem is encrypted with a passphrase, which Portcullis cannot ask for\./);
    } finally {
      await server.close();
    }
  });
});
