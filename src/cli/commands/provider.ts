import { translator, type Translator } from "../../i18n/translator.ts";
import { Command } from "commander";
import { obtainToken } from "../../consumer/connection-token.ts";
import { callMethods, callProvider } from "../../consumer/outbound-call.ts";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import { type OAuthProvider, parseProviderCreate, providerRecord } from "../../domain/oauth-provider.ts";
import { NotFoundError, ValidationError } from "../../domain/validation.ts";
import { paths } from "../../http/paths.ts";
import type { Instance } from "../../instance.ts";
import { connectionStatuses } from "../../store/obtained-token-store.ts";
import { createProvider, deleteProvider, findProvider, listProviders } from "../../store/provider-store.ts";
import { configFor, type DataOptions, withDataOption, withInstance } from "../instance-options.ts";
import { keyValues, type Output, table } from "../output.ts";

interface ProviderOptions extends DataOptions {
  name?: string;
  clientId?: string;
  clientSecretEnv?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  revocationUrl?: string;
  defaultGrant?: string;
  credentials?: string;
  scope?: string;
  oauthProfile?: string;
  publicUrl?: string;
  json?: boolean;
  grant?: string;
  username?: string;
  passwordEnv?: string;
  body?: string;
}

const actor = "admin";

async function mustFind(instance: Instance, key: string): Promise<OAuthProvider> {
  const provider = await findProvider(instance.store.db, key);
  if (!provider) throw new NotFoundError(`no provider "${key}"`);
  return provider;
}

function secretFromEnv(env: NodeJS.ProcessEnv, variable: string, field: string): string {
  const value = env[variable];
  if (!value) throw new ValidationError([{ field, message: `set the environment variable ${variable} (secrets are never taken as arguments, where ps would show them)` }]);
  return value;
}

async function withStatus(instance: Instance, provider: OAuthProvider): Promise<Record<string, string>> {
  const status = (await connectionStatuses(instance.store.db)).find((s) => s.provider === provider.sysId);
  return {
    ...providerRecord(provider),
    connection_status: status?.status ?? "no_token",
    connection_reason: status?.statusReason ?? "",
    token_expires_at: status?.expiresAt ? new Date(status.expiresAt).toISOString() : "",
  };
}

export function providerCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  const provider = new Command("provider").description('the Application Registry: "Connect to a third-party OAuth Provider" (this instance as OAuth client)');

  withDataOption(provider.command("create").description("record a provider whose client this instance holds"))
    .requiredOption("--name <name>", "unique on the instance")
    .requiredOption("--client-id <id>", "the client ID the provider issued")
    .option("--client-secret-env <var>", "environment variable holding the client secret", "PORTCULLIS_PROVIDER_CLIENT_SECRET")
    .option("--authorization-url <url>", "the provider's authorize endpoint (needed for authorization_code)")
    .requiredOption("--token-url <url>", "the provider's token endpoint")
    .option("--revocation-url <url>", "the provider's revocation endpoint")
    .option("--default-grant <grant>", "authorization_code, client_credentials or password", "client_credentials")
    .option("--credentials <style>", "send the client credentials as HTTP basic or in the body", "basic")
    .option("--scope <scope>", "scope to ask for")
    .option("--oauth-profile <name>", i18n.t("cli.provider.oauthProfileOption"))
    .option("--public-url <url>", "this instance's public URL, for its /oauth_redirect.do")
    .option("--json", "print JSON")
    .action(async (options: ProviderOptions) => {
      const settings = parseProviderCreate({
        name: options.name,
        client_id: options.clientId,
        client_secret: secretFromEnv(env, options.clientSecretEnv!, "client_secret"),
        token_url: options.tokenUrl,
        default_grant: options.defaultGrant,
        credential_style: options.credentials,
        ...(options.authorizationUrl ? { authorization_url: options.authorizationUrl } : {}),
        ...(options.revocationUrl ? { revocation_url: options.revocationUrl } : {}),
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.oauthProfile !== undefined ? { oauth_profile: options.oauthProfile } : {}),
      });
      const config = configFor(options, env);
      await withInstance(config, output, i18n, async (instance) => {
        const created = await createProvider(instance.store.db, instanceSecretBox(instance), settings, config.publicUrl + paths.oauthRedirect, actor);
        const record = providerRecord(created);
        output.out(options.json ? JSON.stringify(record, null, 2) : keyValues(record));
      });
    });

  withDataOption(provider.command("list").description("list providers and the health of their tokens").option("--json", "print JSON")).action(async (options: ProviderOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const records = await Promise.all((await listProviders(instance.store.db)).map((p) => withStatus(instance, p)));
      if (options.json) return output.out(JSON.stringify(records, null, 2));
      if (records.length === 0) return output.out("No providers yet. Record one with: portcullis provider create --name NAME --client-id ID --token-url URL");
      output.out(table(["NAME", "CLIENT ID", "GRANT", "TOKEN URL", "STATUS", "EXPIRES"], records.map((r) => [r.name!, r.client_id!, r.default_grant!, r.token_url!, r.connection_status!, r.token_expires_at!])));
    });
  });

  withDataOption(provider.command("show <provider>").description("show one provider (by sys_id or name); the secret is never shown").option("--json", "print JSON")).action(async (key: string, options: ProviderOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const record = await withStatus(instance, await mustFind(instance, key));
      output.out(options.json ? JSON.stringify(record, null, 2) : keyValues(record));
    });
  });

  withDataOption(provider.command("delete <provider>").description("delete a provider and the tokens obtained from it")).action(async (key: string, options: ProviderOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const found = await mustFind(instance, key);
      await deleteProvider(instance.store.db, found.sysId, actor);
      output.out(`Deleted provider "${found.name}".`);
    });
  });

  withDataOption(provider.command("token <provider>").description("get a token without a browser (client_credentials or password)"))
    .option("--grant <grant>", "client_credentials or password (default: the provider's default grant)")
    .option("--username <user>", "for the password grant")
    .option("--password-env <var>", "environment variable holding the password, for the password grant", "PORTCULLIS_PROVIDER_PASSWORD")
    .action(async (key: string, options: ProviderOptions) => {
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const found = await mustFind(instance, key);
        const grant = options.grant ?? found.defaultGrant;
        if (grant !== "client_credentials" && grant !== "password") {
          throw new ValidationError([{ field: "grant", message: `${grant} needs a browser: sign in as admin and open ${instance.config.publicUrl}${paths.connections}/${found.sysId}/authorize` }]);
        }
        const login = grant === "password" ? { username: options.username ?? "", password: secretFromEnv(env, options.passwordEnv!, "password") } : undefined;
        if (login && !login.username) throw new ValidationError([{ field: "username", message: "the password grant needs --username" }]);
        await obtainToken(instance, found, grant, login);
        const record = await withStatus(instance, found);
        output.out(`Got a token from "${found.name}" (${grant}); status ${record.connection_status}, expires ${record.token_expires_at || "never"}.`);
      });
    });

  withDataOption(provider.command("call <provider> <method> <path>").description("call the provider's API with the stored token"))
    .option("--body <json>", "a JSON request body")
    .action(async (key: string, method: string, path: string, options: ProviderOptions) => {
      const upper = method.toUpperCase();
      if (!(callMethods as readonly string[]).includes(upper)) throw new ValidationError([{ field: "method", message: `use one of ${callMethods.join(", ")}` }]);
      let body: unknown;
      if (options.body !== undefined) {
        try {
          body = JSON.parse(options.body);
        } catch {
          throw new ValidationError([{ field: "body", message: "must be JSON" }]);
        }
      }
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const response = await callProvider(instance, await mustFind(instance, key), { method: upper as (typeof callMethods)[number], path, body });
        output.out(typeof response.body === "string" ? response.body : JSON.stringify(response.body, null, 2));
        if (response.status >= 400) throw new Error(`the provider answered HTTP ${response.status}`);
      });
    });

  return provider;
}
