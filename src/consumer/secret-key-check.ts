import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { localConfigError } from "../config.ts";
import type { Instance } from "../instance.ts";
import { secretContext } from "../store/provider-store.ts";
import { ProviderError } from "./provider-http.ts";
import { instanceSecretBox, keyFileName } from "./secret-box.ts";

/** Every provider's sealed client secret: what the key must be able to open (a few dozen rows, a microsecond each). */
async function sealedSecrets(instance: Instance): Promise<{ sysId: string; sealed: string }[]> {
  const rows = await instance.store.db.selectFrom("oauth_provider_settings").select(["entity", "client_secret_enc"]).execute();
  return rows.map((row) => ({ sysId: row.entity, sealed: row.client_secret_enc }));
}

/**
 * Before serving, the secret key must open what this database holds. A database restored
 * without its secret.key used to get a new key made up on the spot, and a PostgreSQL node given
 * another node's database with a different PORTCULLIS_SECRET_KEY started the same way: both
 * served, listed every connection as healthy, and failed each provider call with a 500.
 * Refused here, with the cure, before a new key file is written over nothing. The CLI checks
 * too (src/cli/instance-options.ts), or its first command would write that new key.
 */
export async function assertSecretKeyOpensStore(instance: Instance): Promise<void> {
  await assertKeyOpensProviderSecrets(instance);
  if (instance.store.dialect === "postgres") await assertKeyIsTheOtherNodes(instance);
}

async function assertKeyOpensProviderSecrets(instance: Instance): Promise<void> {
  const sealed = await sealedSecrets(instance);
  if (sealed.length === 0) return;
  const { config } = instance;
  const file = path.join(config.dataDir, keyFileName);
  // On PostgreSQL a key is never made up: instanceSecretBox says it is missing, in those words.
  if (!config.secretKey && !fs.existsSync(file) && instance.store.dialect === "sqlite") throw localConfigError({ key: "start.secretKey.lost", values: { file } });
  try {
    const box = instanceSecretBox(instance);
    for (const { sysId, sealed: value } of sealed) box.open(value, secretContext(sysId));
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    throw localConfigError({ key: "start.secretKey.mismatch", values: { source: config.secretKey ? "PORTCULLIS_SECRET_KEY" : file } });
  }
}

const checkContext = "secret-key-check";

/**
 * Nodes sharing a PostgreSQL database must share the key, and one given another key used to
 * serve until the first provider was recorded: from then on the nodes could not open each
 * other's secrets. The first node to start seals a random value (insert-if-absent, so nodes
 * starting together agree on one); a node whose key does not open it is refused now.
 */
async function assertKeyIsTheOtherNodes(instance: Instance): Promise<void> {
  const box = instanceSecretBox(instance);
  const { db } = instance.store;
  const value = box.seal(randomBytes(16).toString("base64url"), checkContext);
  await db.insertInto("secret_key_check").values({ name: "instance", sealed: value }).onConflict((conflict) => conflict.column("name").doNothing()).execute();
  const stored = await db.selectFrom("secret_key_check").select("sealed").where("name", "=", "instance").executeTakeFirstOrThrow();
  try {
    box.open(stored.sealed, checkContext);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    throw localConfigError({ key: "start.secretKey.otherNodes", values: { source: instance.config.secretKey ? "PORTCULLIS_SECRET_KEY" : path.join(instance.config.dataDir, keyFileName) } });
  }
}
