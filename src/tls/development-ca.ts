import fs from "node:fs";
import path from "node:path";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { createCertificateAuthority, issueServerCertificate, type PemPair } from "./certificate-issuer.ts";

/**
 * The development CA kept under an instance's data directory: created on first HTTPS start,
 * reused afterwards so a client that trusts it once keeps trusting it, and its server
 * certificate re-issued before it expires or when it no longer names every requested host.
 */
export const caLifetimeDays = 3650;
export const serverLifetimeDays = 90;
/** A certificate with less than this left is replaced now rather than failing a client later. */
export const renewalMarginDays = 30;

const day = 24 * 3600 * 1000;

export type CertificateEvent = "ca-created" | "ca-replaced" | "server-issued" | "server-renewed";

export interface DevelopmentCertificates {
  caFile: string;
  /** SHA-256 of the CA certificate, colon-separated hex as `openssl x509 -fingerprint -sha256` shows it. */
  caFingerprint: string;
  certificate: string;
  privateKey: string;
  serverFile: string;
  serverNotAfter: Date;
  /** What this call had to create; empty when everything on disk was reused. */
  events: CertificateEvent[];
}

export interface EnsureOptions {
  /** The directory holding the files, normally DATA/tls. */
  dir: string;
  /** DNS names and IP addresses the server certificate must cover. */
  names: readonly string[];
  /** The clock (tests move it to make expired certificates). */
  now?: Date;
}

export function tlsFiles(dir: string) {
  return {
    caCertificate: path.join(dir, "ca.pem"),
    caKey: path.join(dir, "ca-key.pem"),
    serverCertificate: path.join(dir, "server.pem"),
    serverKey: path.join(dir, "server-key.pem"),
  };
}

export async function ensureDevelopmentCertificates(options: EnsureOptions): Promise<DevelopmentCertificates> {
  const now = options.now ?? new Date();
  const files = tlsFiles(options.dir);
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const events: CertificateEvent[] = [];

  let authority = readPair(files.caCertificate, files.caKey);
  if (!authority || !usableAuthority(authority, now)) {
    events.push(authority ? "ca-replaced" : "ca-created");
    authority = pemFiles(await createCertificateAuthority(`Portcullis development CA ${now.toISOString().slice(0, 10)}`, { now, days: caLifetimeDays }));
    writePair(files.caCertificate, files.caKey, authority);
  } else if (!authority.certificate.endsWith("\n")) {
    // Written by a version that left out the final line break: the same CA, given one.
    writeAtomically(files.caCertificate, pemFile(authority.certificate), 0o644);
  }

  let server = readPair(files.serverCertificate, files.serverKey);
  if (!server || !usableServerCertificate(server, authority, options.names, now)) {
    events.push(server ? "server-renewed" : "server-issued");
    server = pemFiles(await issueServerCertificate(authority, orderedNames(options.names), { now, days: serverLifetimeDays }));
    writePair(files.serverCertificate, files.serverKey, server);
  }

  return {
    caFile: files.caCertificate,
    caFingerprint: new X509Certificate(authority.certificate).fingerprint256,
    certificate: server.certificate,
    privateKey: server.privateKey,
    serverFile: files.serverCertificate,
    serverNotAfter: new Date(new X509Certificate(server.certificate).validTo),
    events,
  };
}

function readPair(certificateFile: string, keyFile: string): PemPair | undefined {
  try {
    return { certificate: fs.readFileSync(certificateFile, "utf8"), privateKey: fs.readFileSync(keyFile, "utf8") };
  } catch {
    return undefined;
  }
}

/** Anything unreadable counts as absent: the files are ours, so replacing them is the repair. */
function parsed(pair: PemPair): X509Certificate | undefined {
  try {
    const certificate = new X509Certificate(pair.certificate);
    return certificate.checkPrivateKey(createPrivateKey(pair.privateKey)) ? certificate : undefined;
  } catch {
    return undefined;
  }
}

function fresh(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && new Date(certificate.validTo).getTime() - now.getTime() > renewalMarginDays * day;
}

function usableAuthority(pair: PemPair, now: Date): boolean {
  const certificate = parsed(pair);
  return !!certificate && certificate.ca && fresh(certificate, now);
}

function usableServerCertificate(pair: PemPair, authority: PemPair, names: readonly string[], now: Date): boolean {
  const certificate = parsed(pair);
  if (!certificate || !fresh(certificate, now)) return false;
  const ca = new X509Certificate(authority.certificate);
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) return false;
  return names.every((name) => (isIP(name) ? certificate.checkIP(name) !== undefined : certificate.checkHost(name, { wildcards: false }) !== undefined));
}

/** DNS names first, so the subject's common name is a host name rather than an address. */
function orderedNames(names: readonly string[]): string[] {
  const unique = [...new Set(names.map((name) => name.toLowerCase()))];
  return [...unique.filter((name) => !isIP(name)), ...unique.filter((name) => isIP(name))];
}

/** Private keys are readable by the owner only, from the moment they exist; a rename makes the switch atomic. */
/**
 * A PEM file ends with a line break: `cat a/ca.pem b/ca.pem > bundle.pem`, the usual way to
 * trust several instances' CAs at once, otherwise glues one END line to the next BEGIN, and
 * the bundle is refused ("bad end line").
 */
const pemFile = (pem: string) => (pem.endsWith("\n") ? pem : `${pem}\n`);
const pemFiles = (pair: PemPair): PemPair => ({ certificate: pemFile(pair.certificate), privateKey: pemFile(pair.privateKey) });

function writePair(certificateFile: string, keyFile: string, pair: PemPair): void {
  writeAtomically(keyFile, pair.privateKey, 0o600);
  writeAtomically(certificateFile, pair.certificate, 0o644);
}

function writeAtomically(file: string, content: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content, { mode, flag: "w" });
  fs.chmodSync(temporary, mode);
  fs.renameSync(temporary, file);
}
