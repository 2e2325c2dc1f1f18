import type { Config } from "./config.ts";
import { loadSecretKey } from "./consumer/secret-box.ts";
import { assertCanListen } from "./listen-probe.ts";
import { assertDataDirectoryWritable } from "./store/data-directory.ts";
import { readTrustCa } from "./tls/trust.ts";

/**
 * What `start` refuses before the store is opened, one process or a cluster's primary alike:
 * otherwise a first start would create the admin and print its one-time password, then stop.
 * The port (`probePort`: not in a cluster worker, which shares its primary's socket), a
 * PostgreSQL node's secret key (`checkSecretKey`: not when the caller brings its own store), the
 * CA trusted for provider calls, and a data directory this user may write when it holds the
 * SQLite database or `--https` makes its development CA in it (checked before it does).
 */
export async function checkBeforeOpening(config: Config, options: { probePort: boolean; checkSecretKey: boolean }): Promise<void> {
  if (options.probePort) await assertCanListen(config.host, config.port);
  if (options.probePort && config.managementPort) await assertCanListen(config.managementHost, config.managementPort, "management");
  if (options.checkSecretKey && config.databaseUrl) loadSecretKey(config, "postgres");
  if (config.trustCa) readTrustCa(config.trustCa);
  // On PostgreSQL the directory holds only the development CA, when --https makes one there.
  if (!config.databaseUrl || (config.https && !config.tlsCert)) assertDataDirectoryWritable(config.dataDir);
}
