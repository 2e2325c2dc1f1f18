import fs from "node:fs";
import path from "node:path";
import { localConfigError } from "../config.ts";
import type { Instance } from "../instance.ts";
import { secretContext } from "../store/provider-store.ts";
import { ProviderError } from "./provider-http.ts";
import { instanceSecretBox, keyFileName } from "./secret-box.ts";

/** One provider's sealed client secret, if any provider is stored: what the key must be able to open. */
async function sealedSample(instance: Instance): Promise<{ sysId: string; sealed: string } | undefined> {
  const row = await instance.store.db.selectFrom("oauth_provider_settings").select(["entity", "client_secret_enc"]).orderBy("entity").limit(1).executeTakeFirst();
  return row && { sysId: row.entity, sealed: row.client_secret_enc };
}

/**
 * Before serving, the secret key must open what this database holds. A database restored
 * without its secret.key used to get a new key made up on the spot, and a PostgreSQL node given
 * another node's database with a different PORTCULLIS_SECRET_KEY started the same way: both
 * served, listed every connection as healthy, and failed each provider call with a 500.
 * Refused here, with the cure, before a new key file is written over nothing.
 */
export async function assertSecretKeyOpensStore(instance: Instance): Promise<void> {
  const sample = await sealedSample(instance);
  const { config } = instance;
  const file = path.join(config.dataDir, keyFileName);
  if (!sample) {
    instanceSecretBox(instance);
    return;
  }
  if (!config.secretKey && !fs.existsSync(file)) throw localConfigError({ key: "start.secretKey.lost", values: { file } });
  try {
    instanceSecretBox(instance).open(sample.sealed, secretContext(sample.sysId));
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    throw localConfigError({ key: "start.secretKey.mismatch", values: { source: config.secretKey ? "PORTCULLIS_SECRET_KEY" : file } });
  }
}
