import fs from "node:fs";
import type { Command } from "commander";
import { type Config, configFromEnvironment, loadConfig, localConfigError } from "../config.ts";
import { assertSecretKeyOpensStore } from "../consumer/secret-key-check.ts";
import { type Instance, openInstance } from "../instance.ts";
import { sqliteFile } from "../store/database.ts";
import type { Output } from "./output.ts";
import { translator, type Translator } from "../i18n/translator.ts";

export interface DataOptions {
  data?: string;
}

/** Every command that touches an instance's data takes --data and honours DATABASE_URL. */
export function withDataOption(command: Command, i18n: Translator = translator("en")): Command {
  return command.option("--data <dir>", i18n.t("help.option.data"));
}

export interface ServeOptions {
  port?: string;
  managementPort?: string;
  host?: string;
  publicUrl?: string;
  movePublicUrl?: string;
  https?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  hostname?: string[];
  trustProxy?: boolean | string;
  insecureBind?: boolean;
  workers?: string;
}

/** Flags over environment over defaults. */
export function configFor(options: DataOptions & ServeOptions, env: NodeJS.ProcessEnv): Config {
  return loadConfig(configFromEnvironment(env), {
    dataDir: options.data,
    port: options.port,
    managementPort: options.managementPort,
    host: options.host,
    publicUrl: options.publicUrl,
    movePublicUrl: options.movePublicUrl,
    https: options.https,
    tlsCert: options.tlsCert,
    tlsKey: options.tlsKey,
    hostnames: options.hostname,
    trustProxy: options.trustProxy,
    allowInsecureBind: options.insecureBind,
    workers: options.workers,
  });
}

/** Whether `config` names an instance already made: a PostgreSQL database, or a SQLite file that exists. */
export function instanceExists(config: Config): boolean {
  return !!config.databaseUrl || fs.existsSync(sqliteFile(config.dataDir));
}

/**
 * Opens the instance for one command and always closes it. Commands that seal or open provider
 * secrets ask for `checkSecretKey` (src/consumer/secret-key-check.ts), so none seals a secret
 * with a key made up beside the lost one; `provider delete` does not, being the way out when the
 * key is lost for good.
 */
export async function withInstance<T>(config: Config, output: Output, i18n: Translator, work: (instance: Instance) => Promise<T>, options: { checkSecretKey?: boolean; mayCreate?: boolean } = {}): Promise<T> {
  const file = sqliteFile(config.dataDir);
  const created = !instanceExists(config);
  // Only a command that creates a record may start an instance where there is none: `client list`
  // with a mistyped --data made a whole instance (and an admin password) to answer "no clients".
  if (created && !options.mayCreate) throw localConfigError({ key: "cli.instance.missing", values: { file } });
  // A create command on a mistyped --data makes a new, empty instance: say so, since its records are not the ones meant.
  // Said once the instance opened: a refused one (a short admin password) leaves nothing behind.
  const instance = await openInstance(config, {
    onAdminCreated: (userName, generated) => {
      if (created) output.err(i18n.t("cli.instance.created", { file }));
      if (generated) output.err(i18n.t("cli.admin.created", { name: userName, password: generated }));
    },
  });
  try {
    if (options.checkSecretKey) await assertSecretKeyOpensStore(instance);
    return await work(instance);
  } finally {
    await instance.store.close();
  }
}
