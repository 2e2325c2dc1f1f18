import fs from "node:fs";
import path from "node:path";
import { isIP } from "node:net";
import tls from "node:tls";
import { createCertificateAuthority, issueServerCertificate, type PemPair } from "../../src/tls/certificate-issuer.ts";

export interface PeerResult {
  /** The certificate the server presented, as a verifying client saw it. */
  fingerprint256: string;
}

/**
 * Connects the way a verifying TLS client does (Node's default checks, hostname included),
 * trusting only the given CA, or the public roots when none is given.
 * A DNS name is dialled at 127.0.0.1 and sent as SNI, as if it resolved to this machine.
 * Resolves with the peer certificate, or rejects with the client's verification error.
 */
export function verifyingHandshake(url: string, ca?: string): Promise<PeerResult> {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: isIP(host) ? host : "127.0.0.1", port: Number(port), ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}), rejectUnauthorized: true }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve({ fingerprint256: peer.fingerprint256 });
    });
    socket.on("error", reject);
  });
}

/** An operator's certificate, as PEM files: issued by a CA made here, for the names and period given. */
export async function operatorCertificate(dir: string, options: { names: string[]; now?: Date; days?: number; authority?: PemPair }) {
  const authority = options.authority ?? (await createCertificateAuthority("Operator test CA", { days: 365 }));
  const pair = await issueServerCertificate(authority, options.names, { days: options.days ?? 30, ...(options.now ? { now: options.now } : {}) });
  fs.mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  fs.writeFileSync(certFile, pair.certificate);
  fs.writeFileSync(keyFile, pair.privateKey, { mode: 0o600 });
  return { certFile, keyFile, caPem: authority.certificate, authority, pair };
}
