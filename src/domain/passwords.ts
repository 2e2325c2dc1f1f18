import { hash, verify } from "@node-rs/argon2";

/** argon2id with the library's defaults (memory-hard, about 8 ms per verify here). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Checked against when the user does not exist, so an unknown name costs what a known one does.
let decoy: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    decoy ??= hash("portcullis-decoy-password");
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
