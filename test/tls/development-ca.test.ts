import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { ensureDevelopmentCertificates, renewalMarginDays, serverLifetimeDays, tlsFiles } from "../../src/tls/development-ca.ts";
import { readCaCertificates } from "../../src/tls/trust.ts";
import { tempDir } from "../support/stores.ts";

const day = 24 * 3600 * 1000;
const names = ["localhost", "127.0.0.1", "::1"];
const daysAgo = (n: number) => new Date(Date.now() - n * day);
const bytes = (file: string) => fs.readFileSync(file, "utf8");
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe("development CA under the data directory", () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = tempDir("portcullis-tls-");
    dirs.push(dir);
    return path.join(dir, "tls");
  };
  after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const writeTemp = (text: string) => {
    const dir = tempDir("portcullis-tls-");
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, "bundle.pem"), text);
    return path.join(dir, "bundle.pem");
  };

  test("first use creates a CA and a server certificate for localhost, 127.0.0.1 and ::1, signed by it", async () => {
    const dir = newDir();
    const result = await ensureDevelopmentCertificates({ dir, names });
    assert.deepEqual(result.events, ["ca-created", "server-issued"]);
    const ca = new X509Certificate(bytes(result.caFile));
    const server = new X509Certificate(result.certificate);
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.equal(server.subjectAltName, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    assert.match(server.keyUsage?.join(",") ?? "", /1\.3\.6\.1\.5\.5\.7\.3\.1/, "the serverAuth extended key usage");
    assert.equal(result.caFingerprint, ca.fingerprint256);
    assert.match(result.caFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  test("every file ends with a line break, so two instances' CAs joined with cat are one valid bundle; an older CA file gets its line break", async () => {
    const [one, two] = [newDir(), newDir()];
    await Promise.all([one, two].map((dir) => ensureDevelopmentCertificates({ dir, names })));
    for (const file of Object.values(tlsFiles(one))) assert.ok(bytes(file).endsWith("-----\n"), file);
    const bundle = bytes(tlsFiles(one).caCertificate) + bytes(tlsFiles(two).caCertificate);
    assert.equal(readCaCertificates(writeTemp(bundle)), bundle);
    const older = tlsFiles(two).caCertificate;
    fs.writeFileSync(older, bytes(older).trimEnd());
    const again = await ensureDevelopmentCertificates({ dir: two, names });
    assert.deepEqual(again.events, [], "the same CA, not a new one");
    assert.ok(bytes(older).endsWith("-----\n"));
  });

  test("private keys are written readable by the owner only", async () => {
    const dir = newDir();
    await ensureDevelopmentCertificates({ dir, names });
    const files = tlsFiles(dir);
    assert.equal(modeOf(files.caKey), 0o600);
    assert.equal(modeOf(files.serverKey), 0o600);
    assert.equal(modeOf(dir), 0o700);
  });

  test("a second start reuses both the CA and the server certificate, byte for byte", async () => {
    const dir = newDir();
    const first = await ensureDevelopmentCertificates({ dir, names });
    const files = tlsFiles(dir);
    const before = Object.values(files).map(bytes);
    const second = await ensureDevelopmentCertificates({ dir, names });
    assert.deepEqual(second.events, []);
    assert.equal(second.caFingerprint, first.caFingerprint);
    assert.equal(second.certificate, first.certificate);
    assert.deepEqual(Object.values(files).map(bytes), before);
  });

  test("an expired server certificate is renewed under the same CA", async () => {
    const dir = newDir();
    const old = await ensureDevelopmentCertificates({ dir, names, now: daysAgo(serverLifetimeDays + 5) });
    assert.ok(old.serverNotAfter < new Date(), "the first certificate has expired");
    const renewed = await ensureDevelopmentCertificates({ dir, names });
    assert.deepEqual(renewed.events, ["server-renewed"]);
    assert.equal(renewed.caFingerprint, old.caFingerprint);
    assert.ok(renewed.serverNotAfter > new Date(Date.now() + (serverLifetimeDays - 1) * day));
    assert.ok(new X509Certificate(renewed.certificate).verify(new X509Certificate(bytes(renewed.caFile)).publicKey));
    assert.notEqual(bytes(tlsFiles(dir).serverKey), old.privateKey, "a renewal brings a new key");
  });

  test("a server certificate close to expiry is renewed; one with time left is kept", async () => {
    const dir = newDir();
    await ensureDevelopmentCertificates({ dir, names, now: daysAgo(serverLifetimeDays - renewalMarginDays - 2) });
    assert.deepEqual((await ensureDevelopmentCertificates({ dir, names })).events, [], "more than the margin left: kept");
    const dir2 = newDir();
    await ensureDevelopmentCertificates({ dir: dir2, names, now: daysAgo(serverLifetimeDays - renewalMarginDays + 2) });
    assert.deepEqual((await ensureDevelopmentCertificates({ dir: dir2, names })).events, ["server-renewed"], "inside the margin: renewed");
  });

  test("asking for a host name the certificate does not cover re-issues it with that name, under the same CA", async () => {
    const dir = newDir();
    const first = await ensureDevelopmentCertificates({ dir, names });
    const wider = await ensureDevelopmentCertificates({ dir, names: [...names, "dev.portcullis.test", "192.0.2.10"] });
    assert.deepEqual(wider.events, ["server-renewed"]);
    assert.equal(wider.caFingerprint, first.caFingerprint);
    const server = new X509Certificate(wider.certificate);
    assert.equal(server.checkHost("dev.portcullis.test"), "dev.portcullis.test");
    assert.equal(server.checkIP("192.0.2.10"), "192.0.2.10");
    assert.equal(server.checkHost("localhost"), "localhost");
    assert.deepEqual((await ensureDevelopmentCertificates({ dir, names })).events, [], "a subset of the names is already covered");
  });

  test("a damaged or mismatched file is replaced, not served", async () => {
    const dir = newDir();
    const first = await ensureDevelopmentCertificates({ dir, names });
    fs.writeFileSync(tlsFiles(dir).serverKey, (await ensureDevelopmentCertificates({ dir: newDir(), names })).privateKey);
    assert.deepEqual((await ensureDevelopmentCertificates({ dir, names })).events, ["server-renewed"], "a key that does not match the certificate");
    fs.writeFileSync(tlsFiles(dir).caCertificate, "not a certificate");
    const replaced = await ensureDevelopmentCertificates({ dir, names });
    assert.deepEqual(replaced.events, ["ca-replaced", "server-renewed"], "a new CA, and a server certificate it signed");
    assert.notEqual(replaced.caFingerprint, first.caFingerprint);
  });
});
