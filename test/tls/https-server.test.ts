import assert from "node:assert/strict";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError, loadConfig, type ConfigInput } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { serverLifetimeDays, tlsFiles } from "../../src/tls/development-ca.ts";
import { renewWhileRunning } from "../../src/tls/server-tls.ts";
import { readCaCertificates, trustingDispatcher, trustingHttpsAgent } from "../../src/tls/trust.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";
import { operatorCertificate, verifyingHandshake } from "../support/tls.ts";

const day = 24 * 3600 * 1000;

interface Started {
  server: RunningServer;
  lines: string[];
  port: number;
}

/**
 * A real instance on its SQLite file, serving TLS on 127.0.0.1. A restart passes the port it had:
 * its public URL, https://localhost:PORT, is the instance's (src/public-url-check.ts).
 */
async function startHttps(dataDir: string, settings: Partial<ConfigInput> = {}, logLines?: string[]): Promise<Started> {
  const port = Number(settings.port ?? (await freePort()));
  const lines: string[] = [];
  const config = loadConfig({ dataDir, port, host: "127.0.0.1", adminPassword, logLevel: logLines ? "info" : "silent", https: true, ...settings });
  const server = await startServer(config, { print: (line) => void lines.push(line), ...(logLines ? { logStream: { write: (line: string) => void logLines.push(line) } } : { logger: false }) });
  return { server, lines, port };
}

const verificationFailure = /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|DEPTH_ZERO_SELF_SIGNED_CERT/;

describe("portcullis start --https with the development CA", () => {
  const dirs: string[] = [];
  const running: RunningServer[] = [];
  const newDir = () => {
    const dir = tempDir("portcullis-https-");
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const server of running) await server.close().catch(() => {});
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("first start creates the CA under DATA/tls and prints its path and SHA-256 fingerprint; a restart reuses CA and certificate", async () => {
    const data = newDir();
    const first = await startHttps(data);
    const caFile = tlsFiles(path.join(data, "tls")).caCertificate;
    const ca = readCaCertificates(caFile);
    const fingerprint = new (await import("node:crypto")).X509Certificate(ca).fingerprint256;
    assert.ok(first.lines.some((l) => l.includes("Created a development certificate authority")), first.lines.join("\n"));
    assert.ok(first.lines.some((l) => l === `Development CA: ${caFile}`), first.lines.join("\n"));
    assert.ok(first.lines.some((l) => l.includes(`SHA-256 fingerprint ${fingerprint}`)));
    assert.ok(first.lines.some((l) => l.includes(`issuer https://localhost:${first.port}`)));
    const servedBefore = await verifyingHandshake(first.server.url, ca);
    await first.server.close();

    const second = await startHttps(data, { port: first.port });
    running.push(second.server);
    assert.ok(!second.lines.some((l) => /Created|Renewed|replaced/.test(l)), second.lines.join("\n"));
    assert.ok(second.lines.some((l) => l.includes(`SHA-256 fingerprint ${fingerprint}`)), "the same CA");
    assert.equal(readCaCertificates(caFile), ca);
    const servedAfter = await verifyingHandshake(second.server.url, ca);
    assert.equal(servedAfter.fingerprint256, servedBefore.fingerprint256, "the same server certificate");
  });

  test("a client trusting the CA connects by localhost, 127.0.0.1 and a --hostname name; one that does not trust it is refused", async () => {
    const data = newDir();
    const { server, port } = await startHttps(data, { hostnames: ["portcullis.localhost"] });
    running.push(server);
    const ca = readCaCertificates(tlsFiles(path.join(data, "tls")).caCertificate);

    const trusted = await fetch(`${server.url}/.well-known/oauth-authorization-server`, { dispatcher: trustingDispatcher(ca) } as RequestInit);
    assert.equal(trusted.status, 200);
    assert.equal((await trusted.json()).issuer, `https://localhost:${port}`);
    await verifyingHandshake(`https://127.0.0.1:${port}`, ca);
    await verifyingHandshake(`https://portcullis.localhost:${port}`, ca);

    await assert.rejects(verifyingHandshake(server.url), (error: NodeJS.ErrnoException) => verificationFailure.test(error.code ?? ""));
    await assert.rejects(fetch(server.url), (error: Error & { cause?: NodeJS.ErrnoException }) => verificationFailure.test(error.cause?.code ?? ""));
  });

  test("the https.Agent helper trusts the CA for node:https callers", async () => {
    const data = newDir();
    const { server } = await startHttps(data);
    running.push(server);
    const agent = trustingHttpsAgent(readCaCertificates(tlsFiles(path.join(data, "tls")).caCertificate));
    const status = await new Promise<number>((resolve, reject) => {
      https.get(`${server.url}/.well-known/oauth-authorization-server`, { agent }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on("error", reject);
    });
    agent.destroy();
    assert.equal(status, 200);
  });

  test("an expired development certificate on disk is renewed at start, and served renewed", async () => {
    const data = newDir();
    const old = await startHttps(data, {}, undefined);
    await old.server.close();
    const files = tlsFiles(path.join(data, "tls"));
    const ca = readCaCertificates(files.caCertificate);
    // Replace the server certificate with one that expired yesterday, issued by the same CA.
    const { pair } = await operatorCertificate(newDir(), { names: ["localhost", "127.0.0.1", "::1"], now: new Date(Date.now() - 31 * day), days: 30, authority: { certificate: ca, privateKey: fs.readFileSync(files.caKey, "utf8") } });
    fs.writeFileSync(files.serverCertificate, pair.certificate);
    fs.writeFileSync(files.serverKey, pair.privateKey);

    const renewed = await startHttps(data, { port: old.port });
    running.push(renewed.server);
    assert.ok(renewed.lines.some((l) => l.startsWith("Renewed the server certificate")), renewed.lines.join("\n"));
    await verifyingHandshake(renewed.server.url, ca);
    assert.equal(readCaCertificates(files.caCertificate), ca, "the CA is kept");
  });

  test("a running instance swaps in a renewed certificate without restarting, on its management port too", async () => {
    const data = newDir();
    const managementPort = await freePort();
    const { server } = await startHttps(data, { managementPort });
    running.push(server);
    const management = `https://localhost:${managementPort}`;
    const files = tlsFiles(path.join(data, "tls"));
    const ca = readCaCertificates(files.caCertificate);
    const before = await verifyingHandshake(server.url, ca);
    assert.equal((await verifyingHandshake(management, ca)).fingerprint256, before.fingerprint256, "one certificate on both ports");
    const log = { info: () => {}, warn: (o: object) => assert.fail(JSON.stringify(o)) };
    assert.deepEqual(await renewWhileRunning([server.app.server], server.instance.config, log), [], "nothing due: nothing changes");
    assert.deepEqual(await server.renewDevelopmentCertificate(), []);
    assert.equal((await verifyingHandshake(server.url, ca)).fingerprint256, before.fingerprint256);

    const ageing = await operatorCertificate(newDir(), { names: ["localhost", "127.0.0.1", "::1"], now: new Date(Date.now() - (serverLifetimeDays - 10) * day), days: serverLifetimeDays, authority: { certificate: ca, privateKey: fs.readFileSync(files.caKey, "utf8") } });
    fs.writeFileSync(files.serverCertificate, ageing.pair.certificate);
    fs.writeFileSync(files.serverKey, ageing.pair.privateKey);
    // The daily check the running server makes (server.ts), as its timer would call it.
    assert.deepEqual(await server.renewDevelopmentCertificate(), ["server-renewed"]);
    const after = await verifyingHandshake(server.url, ca);
    assert.notEqual(after.fingerprint256, before.fingerprint256);
    assert.equal(after.fingerprint256, new (await import("node:crypto")).X509Certificate(fs.readFileSync(files.serverCertificate)).fingerprint256);
    assert.equal((await verifyingHandshake(management, ca)).fingerprint256, after.fingerprint256, "the management port serves the renewed certificate too");
  });

  test("--hostname names are added to the certificate, and a new one re-issues it", async () => {
    const data = newDir();
    const first = await startHttps(data);
    await first.server.close();
    const second = await startHttps(data, { port: first.port, hostnames: ["instance.portcullis.test"] });
    running.push(second.server);
    assert.ok(second.lines.some((l) => l.startsWith("Renewed the server certificate")));
    const ca = readCaCertificates(tlsFiles(path.join(data, "tls")).caCertificate);
    const cert = new (await import("node:crypto")).X509Certificate(fs.readFileSync(tlsFiles(path.join(data, "tls")).serverCertificate));
    assert.equal(cert.checkHost("instance.portcullis.test"), "instance.portcullis.test");
    await verifyingHandshake(second.server.url, ca);
  });
});

describe("portcullis start --tls-cert FILE --tls-key FILE", () => {
  const dirs: string[] = [];
  const running: RunningServer[] = [];
  const newDir = () => {
    const dir = tempDir("portcullis-https-");
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const server of running) await server.close().catch(() => {});
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("serves the operator's certificate, creates no development CA, and implies https", async () => {
    const data = newDir();
    const cert = await operatorCertificate(newDir(), { names: ["localhost", "127.0.0.1"] });
    const { server, lines } = await startHttps(data, { https: false, tlsCert: cert.certFile, tlsKey: cert.keyFile });
    running.push(server);
    assert.ok(server.url.startsWith("https://localhost:"));
    assert.ok(lines.some((l) => l.includes(`TLS with the certificate ${cert.certFile}`)));
    assert.ok(!lines.some((l) => l.startsWith("WARNING")), lines.join("\n"));
    assert.equal(fs.existsSync(path.join(data, "tls")), false);
    await verifyingHandshake(server.url, cert.caPem);
  });

  test("an expired certificate is refused by a verifying client", async () => {
    const cert = await operatorCertificate(newDir(), { names: ["localhost", "127.0.0.1"], now: new Date(Date.now() - 40 * day), days: 30 });
    const { server, lines } = await startHttps(newDir(), { tlsCert: cert.certFile, tlsKey: cert.keyFile });
    running.push(server);
    assert.ok(lines.some((l) => l.startsWith(`WARNING: the TLS certificate ${cert.certFile} expired on`)), lines.join("\n"));
    await assert.rejects(verifyingHandshake(server.url, cert.caPem), (error: NodeJS.ErrnoException) => error.code === "CERT_HAS_EXPIRED");
    await assert.rejects(fetch(server.url, { dispatcher: trustingDispatcher(cert.caPem) } as RequestInit), (error: Error & { cause?: NodeJS.ErrnoException }) => error.cause?.code === "CERT_HAS_EXPIRED");
  });

  test("a certificate for another host name is refused by a verifying client", async () => {
    const cert = await operatorCertificate(newDir(), { names: ["other.portcullis.test"] });
    const { server, lines } = await startHttps(newDir(), { tlsCert: cert.certFile, tlsKey: cert.keyFile });
    running.push(server);
    assert.ok(lines.some((l) => l.includes("does not name localhost, the public URL's host")), lines.join("\n"));
    await assert.rejects(verifyingHandshake(server.url, cert.caPem), (error: NodeJS.ErrnoException) => error.code === "ERR_TLS_CERT_ALTNAME_INVALID");
  });

  test("a certificate from a CA the client does not trust is refused", async () => {
    const cert = await operatorCertificate(newDir(), { names: ["localhost"] });
    const elsewhere = await operatorCertificate(newDir(), { names: ["localhost"] });
    const { server } = await startHttps(newDir(), { tlsCert: cert.certFile, tlsKey: cert.keyFile });
    running.push(server);
    await assert.rejects(verifyingHandshake(server.url, elsewhere.caPem), (error: NodeJS.ErrnoException) => verificationFailure.test(error.code ?? ""));
  });

  test("a key that does not belong to the certificate, or a missing file, stops the start with the file names", async () => {
    const a = await operatorCertificate(newDir(), { names: ["localhost"] });
    const b = await operatorCertificate(newDir(), { names: ["localhost"] });
    const data = newDir();
    await assert.rejects(startHttps(data, { tlsCert: a.certFile, tlsKey: b.keyFile }), (error: Error) => error instanceof ConfigError && error.message.includes(a.certFile) && error.message.includes(b.keyFile));
    await assert.rejects(startHttps(data, { tlsCert: path.join(data, "missing.pem"), tlsKey: a.keyFile }), (error: Error) => error instanceof ConfigError && /missing\.pem: there is no such file/.test(error.message));
    assert.equal(fs.existsSync(path.join(data, "portcullis.sqlite")), false, "nothing was opened");
    assert.throws(() => loadConfig({ tlsCert: a.certFile }), /--tls-cert and --tls-key .* go together/);
  });
});
