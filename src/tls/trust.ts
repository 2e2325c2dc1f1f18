import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { Agent as UndiciAgent } from "undici";
import { localConfigError } from "../config.ts";
import { processUser } from "./operator-certificate.ts";

/**
 * Client-side trust for instances served with the development CA (or any private CA):
 * for code in this project that calls other instances. A whole process can instead be told
 * with NODE_EXTRA_CA_CERTS=FILE, which Node reads once at start-up.
 *
 * The public roots stay trusted alongside the CA, so the same client still reaches
 * instances with publicly issued certificates.
 */
export function readCaCertificates(file: string): string {
  const pem = fs.readFileSync(file, "utf8");
  // Refuse a file that holds no certificate now, not as an obscure handshake failure later.
  new X509Certificate(pem);
  return pem;
}

/**
 * PORTCULLIS_TRUST_CA, read: refused as a configuration error naming the variable, the file and
 * what to do. A path that did not exist used to start the server and then fail every provider
 * call with a 500, and later was refused with a bare "(ENOENT)".
 */
export function readTrustCa(file: string): string {
  try {
    return readCaCertificates(file);
  } catch (error) {
    // A file system code (ENOENT, EACCES…) says what is wrong with the path; OpenSSL's (ERR_…) say only that it is no certificate.
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const problem = code.startsWith("ERR_") ? "notPem" : code === "ENOENT" || code === "ENOTDIR" ? "missing" : code === "EISDIR" ? "directory" : code === "EACCES" || code === "EPERM" ? "denied" : "other";
    throw localConfigError({ key: "start.trustCa.unreadable", values: { file, problem, user: processUser(), reason: code || (error as Error).message } });
  }
}

/**
 * OpenSSL's codes for a chain that ends at no CA this side trusts: what a certificate from a
 * private (e.g. development) CA fails with, and what trusting that CA cures. An expired
 * certificate or one for another host name is a different fault, which a CA file does not fix.
 */
const unknownIssuerCodes = new Set(["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT"]);

export function isUnknownIssuer(code: string | undefined): boolean {
  return code !== undefined && unknownIssuerCodes.has(code);
}

function trustedRoots(caPem: string | readonly string[]): string[] {
  return [...rootCertificates, ...(typeof caPem === "string" ? [caPem] : caPem)];
}

/** For fetch: `fetch(url, { dispatcher: trustingDispatcher(pem) })`. Hostnames are still verified. */
export function trustingDispatcher(caPem: string | readonly string[]): UndiciAgent {
  return new UndiciAgent({ connect: { ca: trustedRoots(caPem), rejectUnauthorized: true } });
}

/** For node:https and libraries that take an `agent`. */
export function trustingHttpsAgent(caPem: string | readonly string[]): HttpsAgent {
  return new HttpsAgent({ ca: trustedRoots(caPem), rejectUnauthorized: true, keepAlive: true });
}
