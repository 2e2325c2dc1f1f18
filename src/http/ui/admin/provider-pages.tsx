import { type ConsumerGrant, consumerGrantNames, type OAuthProvider } from "../../../domain/oauth-provider.ts";
import type { MessageKey, Translator } from "../../../i18n/translator.ts";
import { connectionHealth, type ConnectionStatus } from "../../../store/obtained-token-store.ts";
import { adminPaths, auditOf } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AdminFormFields, describedBy, ErrorSummary, FieldError, type FieldErrors, Flash, PageHeader } from "./components.tsx";
import { type EditConflict, EditConflictNotice, VersionInput } from "./edit-conflict.tsx";
import { Checkbox, TextField } from "./form-fields.tsx";
import { useI18n } from "../i18n-context.tsx";
import { worded } from "../../../i18n/stored-text.ts";

/** What the new-provider form holds between submits; never the secret, which is typed again. */
export interface ProviderFormState {
  name: string;
  client_id: string;
  authorization_url: string;
  token_url: string;
  revocation_url: string;
  default_grant: string;
  credential_style: string;
  scope: string;
  allow_http: boolean;
}

export const blankProviderForm: ProviderFormState = { name: "", client_id: "", authorization_url: "", token_url: "", revocation_url: "", default_grant: "client_credentials", credential_style: "basic", scope: "", allow_http: false };

/** A provider as the registry list shows it. */
export interface ProviderListing {
  provider: OAuthProvider;
  token: ConnectionStatus | undefined;
}

function TokenHealth(props: { token: ConnectionStatus | undefined }) {
  const { t } = useI18n();
  const health = connectionHealth(props.token);
  if (health === "no_token") return <span class="pill">{t("pipeline.health.no_token")}</span>;
  return <span class={health === "healthy" ? "pill pill-yes" : "pill pill-no"}>{t(`provider.status.${health}`)}</span>;
}

/**
 * The registry list's second table: this instance's connections to other providers, narrowed by
 * the list's filter `text` as the endpoints are (so an empty table says no match, not "none yet").
 */
export function ProviderTable(props: { providers: ProviderListing[]; text: string }) {
  const { t } = useI18n();
  const count = props.providers.length;
  return (
    <section aria-labelledby="providers-heading">
      <h2 id="providers-heading">{t("provider.list.heading")}</h2>
      <p class="count">{props.text ? t("provider.list.countMatching", { count, text: props.text }) : t("provider.list.count", { count })}</p>
      {count === 0 ? (
        <p class="empty">{t(props.text ? "provider.list.noMatch" : "provider.list.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="list providers">
            <thead>
              <tr>
                <th scope="col">{t("field.name")}</th>
                <th scope="col">{t("registry.col.type")}</th>
                <th scope="col">{t("field.clientId")}</th>
                <th scope="col">{t("provider.field.tokenUrl")}</th>
                <th scope="col">{t("provider.token.status")}</th>
              </tr>
            </thead>
            <tbody>
              {props.providers.map(({ provider, token }) => (
                <tr>
                  <td>
                    <a href={adminPaths.provider(provider.sysId)}>{provider.name}</a>
                  </td>
                  <td>{t("provider.typeShort")}</td>
                  <td class="mono">{provider.clientId}</td>
                  <td class="mono">{provider.tokenUrl}</td>
                  <td>
                    <TokenHealth token={token} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** In the form's order, which the error summary follows. */
export function providerFieldLabels(t: Translator["t"]): Record<string, string> {
  return {
    name: t("field.name"),
    client_id: t("field.clientId"),
    client_secret: t("field.clientSecret"),
    token_url: t("provider.field.tokenUrl"),
    authorization_url: t("provider.field.authorizationUrl"),
    revocation_url: t("provider.field.revocationUrl"),
    allow_http: t("provider.field.allowHttp"),
    default_grant: t("provider.field.defaultGrant"),
    credential_style: t("provider.field.credentialStyle"),
    scope: t("provider.field.scope"),
    username: t("provider.username"),
    password: t("provider.password"),
  };
}

// The same names as the endpoint form's grant types and the audit: one grant, one name.
const grantLabel = (grant: string): MessageKey => (consumerGrantNames.includes(grant as ConsumerGrant) ? (`grant.${grant}` as MessageKey) : "grant.client_credentials");
// Versions before the grant was kept across refreshes stored "refresh_token" in its place; the original is not known.
const obtainedGrantLabel = (grant: string): MessageKey => (grant === "refresh_token" ? "provider.grant.unrecorded" : grantLabel(grant));

function Choice(props: { id: string; label: string; value: string; options: [string, string][]; errors: FieldErrors }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id} aria-invalid={props.errors[props.id] ? "true" : undefined} aria-describedby={describedBy(props.id, props.errors, props.id)}>
        {props.options.map(([value, text]) => (
          <option value={value} selected={value === props.value}>
            {text}
          </option>
        ))}
      </select>
      <FieldError id={props.id} messages={props.errors[props.id]} />
    </div>
  );
}

/** The form's fields as a provider holds them, for the edit form. */
export function providerFormStateOf(p: OAuthProvider): ProviderFormState {
  return { name: p.name, client_id: p.clientId, authorization_url: p.authorizationUrl, token_url: p.tokenUrl, revocation_url: p.revocationUrl, default_grant: p.defaultGrant, credential_style: p.credentialStyle, scope: p.scope, allow_http: p.allowHttp };
}

/** The form as the admin reads it (choices by their labels): what an edit conflict compares and shows. */
export function providerFormText(state: ProviderFormState, t: Translator["t"]): Record<string, string> {
  const style: MessageKey = state.credential_style === "body" ? "provider.style.body" : "provider.style.basic";
  return { ...state, name: state.name.trim(), client_id: state.client_id.trim(), default_grant: t(grantLabel(state.default_grant)), credential_style: t(style), allow_http: t(state.allow_http ? "common.true" : "common.false") };
}

/**
 * "Connect to a third-party OAuth Provider": the provider's client, endpoints and default grant;
 * with `editing`, the same form for that record, where an empty secret keeps the stored one, and
 * `version` the record version the form was drawn from (the record's, or a re-rendered form's own).
 */
export function providerFormPage(props: { viewer: Viewer; state: ProviderFormState; errors: FieldErrors; redirectUrl: string; editing?: OAuthProvider; version?: number | undefined; conflict?: EditConflict | undefined; notice?: string }): string {
  const { t } = props.viewer.i18n;
  const { state, errors, editing } = props;
  const labels = providerFieldLabels(t);
  const crumbs = [{ href: adminPaths.registry, label: t("registry.title") }, ...(editing ? [{ href: adminPaths.provider(editing.sysId), label: editing.name }] : [])];
  return renderPage(
    <AdminShell title={editing ? t("provider.editPageTitle", { name: editing.name }) : t("provider.newPageTitle")} active="registry" viewer={props.viewer}>
      <PageHeader title={editing ? t("provider.editTitle", { name: editing.name }) : t("provider.newTitle")} crumbs={crumbs} />
      <Flash message={props.notice} />
      <EditConflictNotice conflict={props.conflict} labels={labels} />
      <ErrorSummary errors={errors} labels={labels} />
      <p class="muted">{editing ? t("provider.edit.intro") : t("provider.intro", { redirectUrl: props.redirectUrl })}</p>
      <form method="post" action={editing ? adminPaths.providerEdit(editing.sysId) : adminPaths.registryNewProvider} novalidate class="record-form">
        <AdminFormFields viewer={props.viewer} />
        <VersionInput version={editing ? props.version : undefined} />
        <TextField id="name" label={labels.name!} value={state.name} errors={errors} mandatory />
        <TextField id="client_id" label={labels.client_id!} value={state.client_id} errors={errors} mandatory autocomplete="off" />
        <TextField id="client_secret" label={labels.client_secret!} type="password" value="" errors={errors} mandatory={!editing} autocomplete="new-password" hint={t(editing ? "provider.edit.secretHint" : "provider.secretHint")} />
        <TextField id="token_url" label={labels.token_url!} value={state.token_url} errors={errors} mandatory inputmode="url" hint={t("provider.tokenUrlHint")} />
        <TextField id="authorization_url" label={labels.authorization_url!} value={state.authorization_url} errors={errors} inputmode="url" hint={t("provider.authorizationUrlHint")} />
        <TextField id="revocation_url" label={labels.revocation_url!} value={state.revocation_url} errors={errors} inputmode="url" hint={t("provider.revocationUrlHint")} />
        <Checkbox id="allow_http" label={labels.allow_http!} checked={state.allow_http} errors={errors} hint={t("provider.allowHttpHint")} />
        <Choice id="default_grant" label={labels.default_grant!} value={state.default_grant} errors={errors} options={consumerGrantNames.map((g) => [g, t(grantLabel(g))])} />
        <Choice id="credential_style" label={labels.credential_style!} value={state.credential_style} errors={errors} options={[["basic", t("provider.style.basic")], ["body", t("provider.style.body")]]} />
        <TextField id="scope" label={labels.scope!} value={state.scope} errors={errors} hint={t("provider.scopeHint")} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">
            {t(editing ? "provider.edit.submit" : "registry.submit")}
          </button>
          <a class="btn btn-quiet" href={editing ? adminPaths.provider(editing.sysId) : adminPaths.registry}>
            {t("common.cancel")}
          </a>
        </div>
      </form>
    </AdminShell>,
  );
}

/** `username` is what was typed for the password grant, kept when the page comes back (the password never is). */
function GetToken(props: { viewer: Viewer; provider: OAuthProvider; errors: FieldErrors; username: string }) {
  const { t } = props.viewer.i18n;
  const { provider, errors } = props;
  if (provider.defaultGrant === "authorization_code") {
    return (
      <>
        <p class="muted">{t("provider.getTokenBrowserHint")}</p>
        <a class="btn btn-primary" href={adminPaths.providerAuthorize(provider.sysId)}>
          {t("provider.getToken")}
        </a>
      </>
    );
  }
  return (
    <form method="post" action={adminPaths.providerToken(provider.sysId)} novalidate>
      <AdminFormFields viewer={props.viewer} />
      {provider.defaultGrant === "password" ? (
        <>
          <p class="muted">{t("provider.getTokenPasswordHint")}</p>
          <TextField id="username" label={t("provider.username")} value={props.username} errors={errors} mandatory autocomplete="off" />
          <TextField id="password" label={t("provider.password")} type="password" value="" errors={errors} mandatory autocomplete="off" />
        </>
      ) : null}
      <button type="submit" class="btn btn-primary">
        {t("provider.getToken")}
      </button>
    </form>
  );
}

/** A provider record: what it holds (never the secret), the token obtained with it, Get OAuth Token, Delete. */
/** `redirectUrl` is the instance's own, which the flow sends (oauth-redirect-url.ts), not the one stored on the record. */
export function providerPage(props: { viewer: Viewer; provider: OAuthProvider; redirectUrl: string; token: ConnectionStatus | undefined; errors: FieldErrors; flash?: string | undefined; failure?: string | undefined; username: string }): string {
  const { t, dateTime } = props.viewer.i18n;
  const { provider, token } = props;
  const tokenHealth = connectionHealth(token);
  const labels = providerFieldLabels(t);
  // Identifiers and URLs in monospace; the choices in words.
  const facts: [string, string, boolean][] = [
    [labels.client_id!, provider.clientId, true],
    [t("provider.field.redirectUrl"), props.redirectUrl, true],
    [labels.token_url!, provider.tokenUrl, true],
    [labels.authorization_url!, provider.authorizationUrl || "—", true],
    [labels.revocation_url!, provider.revocationUrl || "—", true],
    [labels.allow_http!, t(provider.allowHttp ? "common.true" : "common.false"), false],
    [labels.default_grant!, t(grantLabel(provider.defaultGrant)), false],
    [labels.credential_style!, t(provider.credentialStyle === "body" ? "provider.style.body" : "provider.style.basic"), false],
    [labels.scope!, provider.scope || "—", true],
    [t("provider.field.profile"), provider.oauthProfile, false],
  ];
  return renderPage(
    <AdminShell title={t("provider.pageTitle", { name: provider.name })} active="registry" viewer={props.viewer}>
      <PageHeader title={provider.name} crumbs={[{ href: adminPaths.registry, label: t("registry.title") }]}>
        <a class="btn btn-quiet" href={auditOf("oauth_entity", provider.sysId)}>
          {t("registry.history")}
        </a>
        <a class="btn btn-primary" href={adminPaths.providerEdit(provider.sysId)}>
          {t("provider.edit.button")}
        </a>
      </PageHeader>
      <Flash message={props.flash} />
      {props.failure ? (
        <div class="alert alert-error" role="alert">
          <p>
            <strong>{t("provider.tokenFailedTitle")}</strong> {props.failure}
          </p>
        </div>
      ) : null}
      <ErrorSummary errors={props.errors} labels={labels} />
      <dl class="facts">
        {facts.map(([label, value, mono]) => (
          <>
            <dt>{label}</dt>
            <dd class={mono ? "mono" : undefined}>{value}</dd>
          </>
        ))}
      </dl>
      <div class="panels">
        <section class="panel" aria-labelledby="token-heading">
          <h2 id="token-heading">{t("provider.token.heading")}</h2>
          {token ? (
            <dl class="facts" data-token-status={tokenHealth}>
              <dt>{t("provider.token.status")}</dt>
              <dd>
                <TokenHealth token={token} />
              </dd>
              {token.statusReason || tokenHealth === "expired" ? (
                <>
                  <dt>{t("provider.token.reason")}</dt>
                  <dd>{token.statusReason ? worded(token.statusReason, t) : t("provider.token.expiredHint")}</dd>
                </>
              ) : null}
              {token.failedAt !== null ? (
                <>
                  <dt>{t("provider.token.failedAt")}</dt>
                  <dd>{dateTime(token.failedAt)}</dd>
                </>
              ) : null}
              <dt>{t("provider.token.grant")}</dt>
              <dd>{t(obtainedGrantLabel(token.grantType))}</dd>
              <dt>{t("provider.token.expires")}</dt>
              <dd>{token.expiresAt === null ? "—" : dateTime(token.expiresAt)}</dd>
            </dl>
          ) : (
            <p class="empty">{t("provider.token.none")}</p>
          )}
          <GetToken viewer={props.viewer} provider={provider} errors={props.errors} username={props.username} />
        </section>
        <section class="panel" aria-labelledby="delete-heading">
          <h2 id="delete-heading">{t("provider.delete.heading")}</h2>
          <p class="muted">{t("provider.delete.text")}</p>
          {/* To the confirmation page: deleting cannot be undone. */}
          <a class="btn btn-danger" href={adminPaths.providerDelete(provider.sysId)}>
            {t("provider.delete.button")}
          </a>
        </section>
      </div>
    </AdminShell>,
  );
}
