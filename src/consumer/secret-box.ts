import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type Config, ConfigError, localConfigError } from "../config.ts";
import type { Instance } from "../instance.ts";
import { makePrivateDirectory } from "../store/private-files.ts";
import { ProviderError } from "./provider-http.ts";

/**
 * AES-256-GCM for what a consumer must be able to send again (a provider's client secret,
 * the tokens it handed out). Each value is bound to where it is stored (`context`, e.g.
 * "provider-secret:<sys_id>") as additional data, so ciphertext copied to another row or
 * column fails to open instead of leaking into the wrong request.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

const version = "v1";

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new ConfigError("the secret key must be 32 bytes");
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${version}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed, context) {
      const [tag, data] = sealed.split(":");
      if (tag !== version || !data) throw new Error("not a sealed value");
      const raw = Buffer.from(data, "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      } catch {
        // Node says "Unsupported state or unable to authenticate data", which names neither cause nor cure.
        throw new ProviderError({ key: "providerError.secretKeyMismatch", values: { keyFile: keyFileName } }, "secret_key_mismatch");
      }
    },
  };
}

/** Accepts the forms an operator is likely to paste: 64 hex digits, or base64 / base64url of 32 bytes. */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) throw localConfigError({ key: "start.secretKey.length" });
  return key;
}

export const keyFileName = "secret.key";

/**
 * The key, from PORTCULLIS_SECRET_KEY or `<dataDir>/secret.key`. On SQLite the file is
 * created (mode 0600) on first use. On PostgreSQL several nodes share the data, and a key
 * made up by one node would leave the others unable to read it: there the key must be given.
 */
export function loadSecretKey(config: Config, dialect: "sqlite" | "postgres"): Buffer {
  if (config.secretKey) return parseKey(config.secretKey);
  const file = path.join(config.dataDir, keyFileName);
  if (fs.existsSync(file)) return parseKey(fs.readFileSync(file, "utf8"));
  if (dialect === "postgres") {
    throw localConfigError({ key: "start.secretKey.missing", values: { file } });
  }
  makePrivateDirectory(config.dataDir);
  const key = randomBytes(32);
  // Written whole under a name of its own, then linked into place. Processes starting together
  // (--workers on a new directory) must agree on one key, and an exclusive create of the file
  // itself showed them an empty file until it was written: "must be 32 bytes", and a worker
  // that could not start. A link, like the exclusive create, fails when another came first.
  const draft = path.join(config.dataDir, `.${keyFileName}.${process.pid}.${randomBytes(6).toString("hex")}`);
  fs.writeFileSync(draft, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    fs.linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return parseKey(fs.readFileSync(file, "utf8"));
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  return key;
}

const boxes = new WeakMap<Instance, SecretBox>();

/** The instance's box, loaded once. */
export function instanceSecretBox(instance: Instance): SecretBox {
  let box = boxes.get(instance);
  if (!box) {
    box = secretBox(loadSecretKey(instance.config, instance.store.dialect));
    boxes.set(instance, box);
  }
  return box;
}
