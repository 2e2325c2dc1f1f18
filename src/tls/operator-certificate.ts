import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import fs from "node:fs";
import { isIP } from "node:net";
import os from "node:os";
import { createSecureContext } from "node:tls";
import { localConfigError } from "../config.ts";
import type { LocalText } from "../i18n/translator.ts";

/** The operator's PEM pair as files hold it, with what a verifying client will object to. */
export interface OperatorTls {
  key: string;
  cert: string;
  warnings: LocalText[];
}

type Which = "certificate" | "key";

/**
 * The operator's certificate chain and key (--tls-cert, --tls-key), checked at start and on each
 * SIGHUP reload, each refusal naming the file and what to do: OpenSSL's own words
 * ("PEM routines::no start line", "key values mismatch", "bad decrypt") name neither, and an
 * empty certificate file went through to a bare "no start line".
 */
export function operatorTls(certFile: string, keyFile: string, publicHost: string, now: Date): OperatorTls {
  const cert = readPem(certFile, "certificate");
  const key = readPem(keyFile, "key");
  const leaf = parsedCertificate(certFile, cert, keyFile);
  const privateKey = parsedKey(keyFile, key, certFile);
  if (!leaf.checkPrivateKey(privateKey)) throw localConfigError({ key: "start.tls.keyNotCertificates", values: { cert: certFile, key: keyFile } });
  try {
    // Anything else OpenSSL refuses, here with the file names rather than on the first handshake.
    createSecureContext({ cert, key });
  } catch (error) {
    throw localConfigError({ key: "start.tls.mismatch", values: { cert: certFile, key: keyFile, reason: (error as Error).message } });
  }
  // Served anyway (the operator may be testing exactly this), but said loudly.
  const warnings: LocalText[] = [];
  if (new Date(leaf.validTo) < now) warnings.push({ key: "start.tls.certExpired", values: { file: certFile, date: new Date(leaf.validTo).toISOString() } });
  const host = publicHost.replace(/^\[|\]$/g, "");
  if ((isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host)) === undefined) warnings.push({ key: "start.tls.certWrongHost", values: { file: certFile, host } });
  return { cert, key, warnings };
}

function readPem(file: string, which: Which): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? "missing" : code === "EISDIR" ? "directory" : code === "EACCES" || code === "EPERM" ? "denied" : "other";
    throw localConfigError({ key: "start.tls.unreadable", values: { what: which, file, problem, user: processUser(), reason: code ?? (error as Error).message } });
  }
}

/** The first certificate of the chain is the server's own: the one the key must open. */
function parsedCertificate(file: string, pem: string, keyFile: string): X509Certificate {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw localConfigError({ key: "start.tls.swapped", values: { cert: file, key: keyFile } });
    throw localConfigError({ key: "start.tls.notPem", values: { what: "certificate", file } });
  }
  try {
    return new X509Certificate(pem);
  } catch {
    throw localConfigError({ key: "start.tls.notPem", values: { what: "certificate", file } });
  }
}

function parsedKey(file: string, pem: string, certFile: string): KeyObject {
  // PKCS#8's encrypted form, and the older OpenSSL one with a Proc-Type header.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) throw localConfigError({ key: "start.tls.keyEncrypted", values: { file } });
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    if (pem.includes("-----BEGIN CERTIFICATE-----")) throw localConfigError({ key: "start.tls.swapped", values: { cert: certFile, key: file } });
    throw localConfigError({ key: "start.tls.notPem", values: { what: "key", file } });
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw localConfigError({ key: "start.tls.notPem", values: { what: "key", file } });
  }
}

/** Who must be able to read the files, as the operator would name them to chown. */
/** Who runs Portcullis, for a message that asks to let that user read a file. */
export function processUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "");
  }
}
