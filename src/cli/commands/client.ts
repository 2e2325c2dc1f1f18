import { Command, InvalidArgumentError } from "commander";
import { checkClientCreate, type ClientUpdateInput, clientRecord, type OAuthClient } from "../../domain/oauth-entity.ts";
import { issue, NotFoundError, ValidationError } from "../../domain/validation.ts";
import { createClient, deleteClient, findClient, listClients, regenerateClientSecret, updateClient } from "../../store/oauth-entity-store.ts";
import { findUserById } from "../../store/user-store.ts";
import type { Instance } from "../../instance.ts";
import { translator, type Translator } from "../../i18n/translator.ts";
import { configFor, type DataOptions, instanceExists, withDataOption, withInstance } from "../instance-options.ts";
import { keyValues, type Output, table } from "../output.ts";

interface SettingOptions extends DataOptions {
  name?: string;
  redirectUrl?: string[];
  logoUrl?: string;
  public?: boolean;
  pkceRequired?: boolean;
  allowHttpRedirect?: boolean;
  accessTokenLifespan?: string;
  refreshTokenLifespan?: string;
  grantTypes?: string;
  clientCredentialsUser?: string;
  active?: boolean;
  comments?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const secondsParser = (i18n: Translator) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(i18n.t("cli.error.seconds"));
  return value;
};

/** The record's settings as options; create and update share them. */
function settingOptions(command: Command, forUpdate: boolean, i18n: Translator): Command {
  const { t } = i18n;
  const seconds = secondsParser(i18n);
  // The one option create requires leads its help.
  if (forUpdate) command.option("--name <name>", t("help.client.newName"));
  else command.requiredOption("--name <name>", t("help.client.name"));
  command
    .option("--redirect-url <urls>", t("help.client.redirectUrl"), collect)
    .option("--logo-url <url>", t("help.client.logoUrl"))
    .option("--pkce-required", t("help.client.pkceRequired"))
    .option("--no-pkce-required", t("help.client.noPkceRequired"))
    .option("--allow-http-redirect", t("help.client.allowHttpRedirect"))
    .option("--no-allow-http-redirect", t("help.client.noAllowHttpRedirect"))
    .option("--access-token-lifespan <seconds>", t("help.client.accessTokenLifespan"), seconds)
    .option("--refresh-token-lifespan <seconds>", t("help.client.refreshTokenLifespan"), seconds)
    .option("--grant-types <list>", t("help.client.grantTypes"))
    .option("--client-credentials-user <user>", t("help.client.clientCredentialsUser"))
    .option("--comments <text>", t("help.client.comments"))
    .option("--json", t("help.client.jsonRecord"));
  if (forUpdate) command.option("--active", t("help.client.active")).option("--no-active", t("help.client.noActive"));
  else command.option("--public", t("help.client.public")).option("--inactive", t("help.client.inactive"));
  return command;
}

function settingsFrom(options: SettingOptions & { inactive?: boolean }): ClientUpdateInput & { public_client?: boolean } {
  const input: Record<string, unknown> = {
    name: options.name,
    redirect_url: options.redirectUrl,
    logo_url: options.logoUrl,
    public_client: options.public,
    pkce_required: options.pkceRequired,
    allow_http_redirect: options.allowHttpRedirect,
    access_token_lifespan: options.accessTokenLifespan,
    refresh_token_lifespan: options.refreshTokenLifespan,
    grant_types: options.grantTypes,
    client_credentials_user: options.clientCredentialsUser,
    active: options.inactive ? false : options.active,
    comments: options.comments,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/**
 * The record as the CLI shows it: the Client credentials user by the user name
 * --client-credentials-user takes and the admin UI shows, where the column holds a sys_id. (The
 * registry API keeps the sys_id: pipelines compare it with the user they looked up.)
 */
async function cliRecord(instance: Instance, client: OAuthClient, secret?: string | null): Promise<ReturnType<typeof clientRecord>> {
  const user = client.clientCredentialsUser ? await findUserById(instance.store.db, client.clientCredentialsUser) : undefined;
  return { ...clientRecord(client, secret), client_credentials_user: user?.userName ?? "" };
}

async function printRecord(output: Output, i18n: Translator, instance: Instance, client: OAuthClient, json: boolean | undefined, secret?: string | null): Promise<void> {
  const record = await cliRecord(instance, client, secret);
  if (json) return output.out(JSON.stringify(record, null, 2));
  output.out(keyValues(record));
  if (secret) output.err(`\n${i18n.t("cli.client.secretOnce")}`);
}

/** The registry's problems in the CLI's words: where the text shared with the form says what to allow, the option that allows it. */
async function inCLIWords<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.issues.map((i) => (i.key === "validation.redirect.http" ? issue(i.field, "cli.client.redirectHttp", i.values) : i)));
  }
}

const actor = "admin";

export function clientCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  const { t } = i18n;
  const client = new Command("client").description(t("help.client"));

  withDataOption(settingOptions(client.command("create").description(t("help.client.create")), false, i18n), i18n).action(async (options: SettingOptions & { inactive?: boolean }) => {
    const input = settingsFrom(options);
    const config = configFor(options, env);
    await inCLIWords(async () => {
      // Bad input makes no instance; where there is one, the client credentials user and the
      // name are looked up in it and told with the input's other problems.
      const checked = checkClientCreate(input);
      if (checked.issues.length > 0 && !instanceExists(config)) throw new ValidationError(checked.issues);
      await withInstance(config, output, i18n, async (instance) => {
        const created = await createClient(instance.store.db, input, actor);
        await printRecord(output, i18n, instance, created.client, options.json, created.clientSecret);
      }, { mayCreate: true });
    });
  });

  withDataOption(client.command("list").description(t("help.client.list")).option("--json", t("help.option.json")), i18n).action(async (options: SettingOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const clients = await listClients(instance.store.db);
      if (options.json) return output.out(JSON.stringify(await Promise.all(clients.map((c) => cliRecord(instance, c))), null, 2));
      if (clients.length === 0) return output.out(t("cli.client.none"));
      output.out(
        table(
          [t("cli.heading.name"), t("cli.heading.clientId"), t("cli.heading.active"), t("cli.heading.type"), t("cli.heading.grants"), t("cli.heading.redirectUrls")],
          clients.map((c) => [c.name, c.clientId, t(c.active ? "cli.client.yes" : "cli.client.no"), t(c.publicClient ? "cli.client.public" : "cli.client.confidential"), c.grantTypes.join(","), c.redirectUrls.join(", ")]),
        ),
      );
    });
  });

  const keyed = (name: string, description: string) => withDataOption(client.command(`${name} <client>`).description(description), i18n);

  keyed("show", t("help.client.show")).option("--json", t("help.option.json")).action(async (key: string, options: SettingOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const found = await findClient(instance.store.db, key);
      if (!found) throw new NotFoundError(t("cli.client.notFound", { key }));
      await printRecord(output, i18n, instance, found, options.json);
    });
  });

  settingOptions(keyed("update", t("help.client.update")), true, i18n).action(async (key: string, options: SettingOptions) => {
    await inCLIWords(() =>
      withInstance(configFor(options, env), output, i18n, async (instance) => {
        await printRecord(output, i18n, instance, await updateClient(instance.store.db, key, settingsFrom(options), actor), options.json);
      }),
    );
  });

  keyed("regenerate-secret", t("help.client.regenerateSecret")).option("--json", t("help.option.json")).action(async (key: string, options: SettingOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const regenerated = await regenerateClientSecret(instance.store.db, key, actor);
      await printRecord(output, i18n, instance, regenerated.client, options.json, regenerated.clientSecret);
    });
  });

  keyed("deactivate", t("help.client.deactivate")).option("--json", t("help.option.json")).action(async (key: string, options: SettingOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      await printRecord(output, i18n, instance, await updateClient(instance.store.db, key, { active: false }, actor), options.json);
    });
  });

  keyed("delete", t("help.client.delete")).option("--json", t("help.option.json")).action(async (key: string, options: SettingOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const deleted = await deleteClient(instance.store.db, key, actor);
      if (options.json) return output.out(JSON.stringify({ deleted: await cliRecord(instance, deleted) }, null, 2));
      output.out(t("cli.client.deleted", { name: deleted.name, clientId: deleted.clientId }));
    });
  });

  return client;
}
