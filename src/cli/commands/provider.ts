import { deleteProviderRevoking, updateProviderRevoking } from "../../consumer/token-revocation.ts";
import { type StoredText, worded } from "../../i18n/stored-text.ts";
import { translator, type Translator } from "../../i18n/translator.ts";
import { Command } from "commander";
import { heldTokenRefused, obtainToken, refreshRetryMs } from "../../consumer/connection-token.ts";
import { ProviderError } from "../../consumer/provider-http.ts";
import { callMethods, callProvider } from "../../consumer/outbound-call.ts";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import { consumerGrantNames, type OAuthProvider, parseProviderCreate, parseProviderUpdate, providerRecord } from "../../domain/oauth-provider.ts";
import { issue, NotFoundError, ValidationError } from "../../domain/validation.ts";
import { paths } from "../../http/paths.ts";
import type { Instance } from "../../instance.ts";
import { type ConnectionHealth, connectionHealth, connectionStatuses as storedStatuses } from "../../store/obtained-token-store.ts";
import { createProvider, findProvider, listProviders } from "../../store/provider-store.ts";
import { configFor, type DataOptions, withDataOption, withInstance } from "../instance-options.ts";
import { keyValues, type Output, table } from "../output.ts";
import { PartlyDone } from "../partly-done.ts";
import { knownPublicUrl, knownRedirectUrl, publicUrlGiven } from "../served-redirect-url.ts";

interface ProviderOptions extends DataOptions {
  name?: string;
  clientId?: string;
  clientSecretEnv?: string;
  newSecretEnv?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  revocationUrl?: string;
  defaultGrant?: string;
  credentials?: string;
  scope?: string;
  oauthProfile?: string;
  allowHttp?: boolean;
  publicUrl?: string;
  json?: boolean;
  grant?: string;
  username?: string;
  passwordEnv?: string;
  body?: string;
}

const actor = "admin";

async function mustFind(instance: Instance, i18n: Translator, key: string): Promise<OAuthProvider> {
  const provider = await findProvider(instance.store.db, key);
  if (!provider) throw new NotFoundError(i18n.t("cli.provider.notFound", { key }));
  return provider;
}

function secretFromEnv(env: NodeJS.ProcessEnv, i18n: Translator, variable: string, field: string): string {
  const value = env[variable];
  if (!value) throw new ValidationError([{ field, message: i18n.t("cli.provider.secretEnv", { variable }) }]);
  return value;
}

const connectionStatuses = ["healthy", "unhealthy", "expired", "no_token"] as const satisfies readonly ConnectionHealth[];
/** The connection's status in the reader's words; a status this CLI does not know is shown as stored. */
function statusText(i18n: Translator, status: string): string {
  return (connectionStatuses as readonly string[]).includes(status) ? i18n.t(`cli.provider.status.${status as (typeof connectionStatuses)[number]}`) : status;
}

/**
 * `provider list`'s status: the health, why, and when the last refresh or token request failed;
 * an unhealthy connection whose token has not run out says that calls still go out with it,
 * unless the provider refused that token (`stored`, the reason as kept, says so): then calls
 * fail until a refresh, which a call tries again at most every refreshRetryMs, succeeds.
 */
function statusCell(i18n: Translator, record: Record<string, string>, stored: StoredText | null): string {
  const reason = record.connection_reason ? `: ${record.connection_reason}` : "";
  if (!record.connection_failed_at) return statusText(i18n, record.connection_status!) + reason;
  const live = record.connection_status === "unhealthy" && (!record.token_expires_at || Date.parse(record.token_expires_at) > Date.now());
  const key = !live ? "cli.provider.failedAt" : heldTokenRefused(stored) ? "cli.provider.failedAtTokenRefused" : "cli.provider.failedAtTokenLive";
  const when = i18n.t(key, { time: i18n.dateTime(record.connection_failed_at), seconds: refreshRetryMs / 1000 });
  return `${statusText(i18n, record.connection_status!)}${reason} (${when})`;
}

/**
 * The record and its connection; the reason in `t`'s language (English for --json, which scripts read).
 * The redirect URL is the one the instance uses when this command knows it: the record keeps what
 * `provider create` assumed, and the authorization flow never reads it (oauth-redirect-url.ts).
 */
async function withStatus(instance: Instance, provider: OAuthProvider, t: Translator["t"], env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const status = (await storedStatuses(instance.store.db)).find((s) => s.provider === provider.sysId);
  const redirect = await knownRedirectUrl(instance, { publicUrlGiven: publicUrlGiven(undefined, env) });
  return {
    ...providerRecord(provider),
    ...(redirect.source !== "assumed" ? { redirect_url: redirect.url } : {}),
    connection_status: connectionHealth(status),
    connection_reason: status?.statusReason ? worded(status.statusReason, t) : "",
    connection_failed_at: status?.failedAt ? new Date(status.failedAt).toISOString() : "",
    token_expires_at: status?.expiresAt ? new Date(status.expiresAt).toISOString() : "",
  };
}

/** The API and the form ask for the secret at its field; here it comes from the variable --new-secret-env names. */
function namingSecretOption(error: unknown): never {
  if (!(error instanceof ValidationError)) throw error;
  throw new ValidationError(error.issues.map((i) => (i.key === "validation.secretForNewOrigin" ? issue("--new-secret-env", "cli.provider.secretForNewOrigin", i.values) : i)));
}

/** These commands seal or open provider secrets: the secret key must open what is stored first. */
const sealsSecrets = { checkSecretKey: true };

export function providerCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  const { t } = i18n;
  const provider = new Command("provider").description(t("help.provider"));

  withDataOption(provider.command("create").description(t("help.provider.create")), i18n)
    .requiredOption("--name <name>", t("help.provider.name"))
    .requiredOption("--client-id <id>", t("help.provider.clientId"))
    .option("--client-secret-env <var>", t("help.provider.clientSecretEnv"), "PORTCULLIS_PROVIDER_CLIENT_SECRET")
    .option("--authorization-url <url>", t("help.provider.authorizationUrl"))
    .requiredOption("--token-url <url>", t("help.provider.tokenUrl"))
    .option("--revocation-url <url>", t("help.provider.revocationUrl"))
    .option("--default-grant <grant>", t("help.provider.defaultGrant"), "client_credentials")
    .option("--credentials <style>", t("help.provider.credentials"), "basic")
    .option("--scope <scope>", t("help.provider.scope"))
    .option("--oauth-profile <name>", t("cli.provider.oauthProfileOption"))
    .option("--allow-http", t("help.provider.allowHttp"))
    .option("--public-url <url>", t("help.provider.publicUrl"))
    .option("--json", t("help.option.json"))
    .action(async (options: ProviderOptions) => {
      const settings = parseProviderCreate({
        name: options.name,
        client_id: options.clientId,
        client_secret: secretFromEnv(env, i18n, options.clientSecretEnv!, "client_secret"),
        token_url: options.tokenUrl,
        default_grant: options.defaultGrant,
        credential_style: options.credentials,
        ...(options.authorizationUrl ? { authorization_url: options.authorizationUrl } : {}),
        ...(options.revocationUrl ? { revocation_url: options.revocationUrl } : {}),
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.oauthProfile !== undefined ? { oauth_profile: options.oauthProfile } : {}),
        ...(options.allowHttp ? { allow_http: true } : {}),
      });
      const config = configFor(options, env);
      await withInstance(config, output, i18n, async (instance) => {
        const redirect = await knownRedirectUrl(instance, { publicUrlGiven: publicUrlGiven(options.publicUrl, env) });
        const created = await createProvider(instance.store.db, instanceSecretBox(instance), settings, redirect.url, actor);
        const record = providerRecord(created);
        output.out(options.json ? JSON.stringify(record, null, 2) : keyValues(record));
        // What the admin registers at the provider: a guessed port is said to be one, not printed as fact.
        if (redirect.source === "assumed") output.err(t("cli.provider.redirectAssumed", { url: redirect.url, path: paths.oauthRedirect }));
      }, { ...sealsSecrets, mayCreate: true });
    });

  withDataOption(provider.command("list").description(t("help.provider.list")).option("--json", t("help.option.json")), i18n).action(async (options: ProviderOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const providers = await listProviders(instance.store.db);
      const records = await Promise.all(providers.map((p) => withStatus(instance, p, options.json ? translator("en").t : t, env)));
      if (options.json) return output.out(JSON.stringify(records, null, 2));
      if (records.length === 0) return output.out(t("cli.provider.none"));
      const reasons = new Map((await storedStatuses(instance.store.db)).map((s) => [s.provider, s.statusReason]));
      output.out(
        table(
          // The status goes last: an unhealthy connection's reason can be long.
          [t("cli.heading.name"), t("cli.heading.clientId"), t("cli.heading.grant"), t("cli.heading.tokenUrl"), t("cli.heading.expires"), t("cli.heading.status")],
          records.map((r, i) => [r.name!, r.client_id!, r.default_grant!, r.token_url!, r.token_expires_at ? i18n.dateTime(r.token_expires_at) : "-", statusCell(i18n, r, reasons.get(providers[i]!.sysId) ?? null)]),
        ),
      );
    });
  });

  withDataOption(provider.command("show <provider>").description(t("help.provider.show")).option("--json", t("help.option.json")), i18n).action(async (key: string, options: ProviderOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const record = await withStatus(instance, await mustFind(instance, i18n, key), options.json ? translator("en").t : t, env);
      // For a person, the health and the expiry as `provider list` shows them; JSON keeps the codes.
      const shown = { ...record, connection_status: statusText(i18n, record.connection_status!), token_expires_at: record.token_expires_at ? i18n.dateTime(record.token_expires_at) : "", connection_failed_at: record.connection_failed_at ? i18n.dateTime(record.connection_failed_at) : "" };
      output.out(options.json ? JSON.stringify(record, null, 2) : keyValues(shown));
    });
  });

  withDataOption(provider.command("delete <provider>").summary(t("help.provider.delete")).description(t("help.provider.deleteDetail")), i18n).action(async (key: string, options: ProviderOptions) => {
    await withInstance(configFor(options, env), output, i18n, async (instance) => {
      const found = await mustFind(instance, i18n, key);
      const outcome = await deleteProviderRevoking(instance, found, actor);
      output.out(t("cli.provider.deleted", { name: found.name }));
      if (outcome.kind === "revoked") output.out(t("cli.provider.revoked"));
      if (outcome.kind === "failed") throw new PartlyDone(t("cli.provider.revocationFailed", { reason: worded(outcome.reason, t) }));
    });
  });

  withDataOption(provider.command("update <provider>").summary(t("help.provider.update")).description(t("help.provider.updateDetail")), i18n)
    .option("--name <name>", t("help.provider.name"))
    .option("--client-id <id>", t("help.provider.clientId"))
    .option("--new-secret-env <var>", t("help.provider.newSecretEnv"))
    .option("--authorization-url <url>", t("help.provider.authorizationUrl"))
    .option("--token-url <url>", t("help.provider.tokenUrl"))
    .option("--revocation-url <url>", t("help.provider.revocationUrl"))
    .option("--default-grant <grant>", t("help.provider.defaultGrant"))
    .option("--credentials <style>", t("help.provider.credentials"))
    .option("--scope <scope>", t("help.provider.scope"))
    .option("--allow-http", t("help.provider.allowHttp"))
    .option("--no-allow-http", t("help.provider.noAllowHttp"))
    .option("--json", t("help.option.json"))
    .action(async (key: string, options: ProviderOptions) => {
      // Only what was given; an empty --revocation-url "" or --scope "" clears that field.
      const given = {
        name: options.name,
        client_id: options.clientId,
        client_secret: options.newSecretEnv === undefined ? undefined : secretFromEnv(env, i18n, options.newSecretEnv, "client_secret"),
        authorization_url: options.authorizationUrl,
        token_url: options.tokenUrl,
        revocation_url: options.revocationUrl,
        default_grant: options.defaultGrant,
        credential_style: options.credentials,
        scope: options.scope,
        allow_http: options.allowHttp,
      };
      const changes = parseProviderUpdate(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)));
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const found = await mustFind(instance, i18n, key);
        const updated = await updateProviderRevoking(instance, found, changes, actor).catch(namingSecretOption);
        const name = updated.provider.name;
        if (options.json) {
          output.out(JSON.stringify({ ...providerRecord(updated.provider), changed: updated.changed, token_discarded: updated.tokenDiscarded, revocation: updated.revocation.kind }, null, 2));
        } else {
          output.out(updated.changed.length ? t("cli.provider.updated", { name, fields: updated.changed.join(", ") }) : t("cli.provider.unchanged", { name }));
          if (updated.tokenDiscarded) output.out(t("cli.provider.tokenDiscarded", { name }));
          if (updated.revocation.kind === "revoked") output.out(t("cli.provider.revokedOld"));
        }
        if (updated.revocation.kind === "failed") throw new PartlyDone(t("cli.provider.revocationFailedOld", { reason: worded(updated.revocation.reason, t) }));
      }, sealsSecrets);
    });

  withDataOption(provider.command("token <provider>").summary(t("help.provider.token")).description(t("help.provider.tokenDetail")), i18n)
    .option("--grant <grant>", t("help.provider.grant"))
    .option("--username <user>", t("help.provider.username"))
    .option("--password-env <var>", t("help.provider.passwordEnv"), "PORTCULLIS_PROVIDER_PASSWORD")
    .action(async (key: string, options: ProviderOptions) => {
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const found = await mustFind(instance, i18n, key);
        const grant = options.grant ?? found.defaultGrant;
        if (!(consumerGrantNames as readonly string[]).includes(grant)) throw new ValidationError([issue("grant", "validation.directGrant")]);
        if (grant !== "client_credentials" && grant !== "password") {
          // The address the instance serves, as `provider show` names the redirect URL: not the config's default port.
          const base = await knownPublicUrl(instance, { publicUrlGiven: publicUrlGiven(undefined, env) });
          const path = `${paths.connections}/${found.sysId}/authorize`;
          const key = base.source === "assumed" ? "cli.provider.needsBrowserAssumed" : "cli.provider.needsBrowser";
          throw new ValidationError([{ field: "grant", message: t(key, { grant, url: base.url + path, path }) }]);
        }
        const login = grant === "password" ? { username: options.username ?? "", password: secretFromEnv(env, i18n, options.passwordEnv!, "password") } : undefined;
        if (login && !login.username) throw new ValidationError([{ field: "username", message: t("cli.provider.needsUsername") }]);
        try {
          await obtainToken(instance, found, grant, login);
        } catch (error) {
          // The provider's answer names no provider; in a script that loops over several, stderr must say which one refused.
          if (error instanceof ProviderError) throw new ProviderError({ key: "cli.provider.tokenFailed", values: { name: found.name, reason: error.text } }, error.code, error.status);
          throw error;
        }
        const record = await withStatus(instance, found, t, env);
        const got = { name: found.name, grant, status: statusText(i18n, record.connection_status!) };
        output.out(record.token_expires_at ? t("cli.provider.gotToken", { ...got, expires: i18n.dateTime(record.token_expires_at) }) : t("cli.provider.gotTokenNoExpiry", got));
      }, sealsSecrets);
    });

  withDataOption(provider.command("call <provider> <method> <path>").summary(t("help.provider.call")).description(t("help.provider.callDetail")), i18n)
    .option("--body <json>", t("help.provider.body"))
    .action(async (key: string, method: string, path: string, options: ProviderOptions) => {
      const upper = method.toUpperCase();
      if (!(callMethods as readonly string[]).includes(upper)) throw new ValidationError([{ field: "method", message: t("cli.provider.useMethod", { methods: callMethods.join(", ") }) }]);
      let body: unknown;
      if (options.body !== undefined) {
        try {
          body = JSON.parse(options.body);
        } catch {
          throw new ValidationError([{ field: "body", message: t("cli.provider.bodyJson") }]);
        }
      }
      await withInstance(configFor(options, env), output, i18n, async (instance) => {
        const response = await callProvider(instance, await mustFind(instance, i18n, key), { method: upper as (typeof callMethods)[number], path, body });
        output.out(typeof response.body === "string" ? response.body : JSON.stringify(response.body, null, 2));
        if (response.status >= 400) throw new Error(t("cli.provider.httpStatus", { status: response.status }));
      }, sealsSecrets);
    });

  return provider;
}
