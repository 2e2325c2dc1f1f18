// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API first.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { isIP } from "node:net";
import * as x509 from "@peculiar/x509";

/**
 * Issues the development CA and its server certificates with @peculiar/x509 over WebCrypto:
 * ECDSA P-256 keys (generated natively in milliseconds, accepted by every TLS client in use)
 * and the extensions browsers and OpenSSL check (basic constraints, key usage, SAN, EKU).
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const keyAlgorithm = { name: "ECDSA", namedCurve: "P-256" } as const;
const signingAlgorithm = { name: "ECDSA", hash: "SHA-256" } as const;
const day = 24 * 3600 * 1000;

export interface PemPair {
  certificate: string;
  privateKey: string;
}

export interface Validity {
  /** When the certificate starts; tests move it into the past to make expired certificates. */
  now?: Date;
  days: number;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

// A minute of slack so a client whose clock is slightly behind still accepts a fresh certificate.
function period(validity: Validity): { notBefore: Date; notAfter: Date } {
  const start = (validity.now ?? new Date()).getTime() - 60_000;
  return { notBefore: new Date(start), notAfter: new Date(start + validity.days * day) };
}

function serialNumber(): string {
  // 16 random bytes, top bit clear so the DER integer stays positive (RFC 5280 §4.1.2.2).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

/** A self-signed CA allowed to sign only end-entity certificates (pathLength 0). */
export async function createCertificateAuthority(commonName: string, validity: Validity): Promise<PemPair> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }, { O: ["Portcullis development CA"] }],
    ...period(validity),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: certificate.toString("pem"), privateKey: await privateKeyPem(keys.privateKey) };
}

/** A server certificate for the given DNS names and IP addresses, signed by the CA. */
export async function issueServerCertificate(authority: PemPair, names: readonly string[], validity: Validity): Promise<PemPair> {
  if (names.length === 0) throw new Error("a server certificate needs at least one name");
  const caCertificate = new x509.X509Certificate(authority.certificate);
  const caKey = await webcrypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(authority.privateKey), keyAlgorithm, false, ["sign"]);
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [names[0]!] }],
    issuer: caCertificate.subjectName,
    ...period(validity),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names.map((name) => (isIP(name) ? { type: "ip" as const, value: name } : { type: "dns" as const, value: name }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  return { certificate: certificate.toString("pem"), privateKey: await privateKeyPem(keys.privateKey) };
}
