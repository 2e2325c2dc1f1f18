import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import { ensureDevelopmentCertificates } from "../../src/tls/development-ca.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

/** The fingerprint of the certificate a new connection is served. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.once("error", reject);
  });
}

async function pair(dir: string, options: { now?: Date; names?: string[] } = {}): Promise<{ cert: string; key: string; fingerprint: string }> {
  const made = await ensureDevelopmentCertificates({ dir, names: options.names ?? ["localhost", "127.0.0.1"], ...(options.now ? { now: options.now } : {}) });
  return { cert: made.certificate, key: made.privateKey, fingerprint: new X509Certificate(made.certificate).fingerprint256 };
}

describe("kill -HUP reloads the operator's certificate without a restart", () => {
  const dir = tempDir("portcullis-reload-");
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const workers of [1, 2]) {
    test(`${workers === 1 ? "one process" : "--workers 2"}: new connections get the renewed certificate; a bad pair keeps the old one`, async () => {
      const [first, second] = [await pair(path.join(dir, `a${workers}`)), await pair(path.join(dir, `b${workers}`))];
      const certFile = path.join(dir, `cert${workers}.pem`);
      const keyFile = path.join(dir, `key${workers}.pem`);
      fs.writeFileSync(certFile, first.cert);
      fs.writeFileSync(keyFile, first.key);
      const port = await freePort();
      const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "silent", LANG: "C" };
      delete env.DATABASE_URL;
      const child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", path.join(dir, `data${workers}`), "--port", String(port), "--https", "--tls-cert", certFile, "--tls-key", keyFile, "--workers", String(workers)], { env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const waitFor = async (pattern: RegExp, count = 1) => {
        const deadline = Date.now() + 30_000;
        while ((stderr.match(new RegExp(pattern, "g"))?.length ?? 0) < count) {
          assert.ok(Date.now() < deadline, `waited for ${pattern}:\n${stderr}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      try {
        await waitFor(/Metadata:/);
        assert.equal(await servedFingerprint(port), first.fingerprint);

        fs.writeFileSync(certFile, second.cert);
        fs.writeFileSync(keyFile, second.key);
        child.kill("SIGHUP");
        await waitFor(/Reloaded the TLS certificate/, workers);
        for (let i = 0; i < 4; i++) assert.equal(await servedFingerprint(port), second.fingerprint, "every worker serves the new one");

        // A certificate whose key does not match: said, and the one served stays.
        fs.writeFileSync(keyFile, first.key);
        child.kill("SIGHUP");
        await waitFor(/was not reloaded, and the previous one is still served/, workers);
        assert.equal(await servedFingerprint(port), second.fingerprint);

        // An expired pair, or one for another host: verifying clients would refuse it, so the working one stays.
        const expired = await pair(path.join(dir, `expired${workers}`), { now: new Date(Date.now() - 5 * 365 * 86_400_000) });
        fs.writeFileSync(certFile, expired.cert);
        fs.writeFileSync(keyFile, expired.key);
        child.kill("SIGHUP");
        await waitFor(/was not reloaded, and the previous one is still served: the new certificate \S+ expired on/, workers);
        assert.equal(await servedFingerprint(port), second.fingerprint);
        const elsewhere = await pair(path.join(dir, `elsewhere${workers}`), { names: ["elsewhere.example"] });
        fs.writeFileSync(certFile, elsewhere.cert);
        fs.writeFileSync(keyFile, elsewhere.key);
        child.kill("SIGHUP");
        await waitFor(/was not reloaded, and the previous one is still served: the new certificate \S+ does not name localhost/, workers);
        assert.equal(await servedFingerprint(port), second.fingerprint);
        assert.equal(child.exitCode, null, "still running");
      } finally {
        child.kill("SIGTERM");
        assert.equal(await exited, 0, stderr);
      }
    });
  }
});
