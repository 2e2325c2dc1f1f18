import { grantTypeNames, type OAuthClient } from "../../../domain/oauth-entity.ts";
import type { AuditListing } from "../../../store/audit-listing.ts";
import { adminPaths, auditOf } from "../../admin/admin-paths.ts";
import { type RegistryFormState } from "../../admin/registry-form-input.ts";
import { renderPage } from "../layout.tsx";
import type { MessageKey, Translator } from "../../../i18n/translator.ts";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AuditTable } from "./audit-table.tsx";
import { ClientSecretField } from "./client-secret-field.tsx";
import { AdminFormFields, describedBy, ErrorSummary, FieldError, type FieldErrors, Flash, PageHeader } from "./components.tsx";
import { type EditConflict, EditConflictNotice, VersionInput } from "./edit-conflict.tsx";
import { Checkbox, TextField } from "./form-fields.tsx";
import { RedirectUrlField } from "./redirect-url-field.tsx";

/** In the form's order, which the error summary and an edit conflict's list follow. */
export const registryFieldLabelKeys: Record<string, MessageKey> = {
  name: "field.name",
  client_secret: "field.clientSecret",
  redirect_url: "field.redirectUrls",
  logo_url: "field.logoUrl",
  active: "field.active",
  public_client: "field.publicClient",
  pkce_required: "field.pkceRequired",
  allow_http_redirect: "field.allowHttpRedirect",
  grant_types: "field.grantTypes",
  access_token_lifespan: "field.accessTokenLifespan",
  refresh_token_lifespan: "field.refreshTokenLifespan",
  client_credentials_user: "field.clientCredentialsUser",
  comments: "field.comments",
};

export function registryFieldLabels(t: Translator["t"]): Record<string, string> {
  return Object.fromEntries(Object.entries(registryFieldLabelKeys).map(([field, key]) => [field, t(key)]));
}

export interface RegistryFormProps {
  viewer: Viewer;
  state: RegistryFormState;
  errors: FieldErrors;
  /** Null while the record is new. */
  client: OAuthClient | null;
  freshSecret?: string | undefined;
  flash?: string | undefined;
  history?: AuditListing[];
  /** The version the form edits: the record's, or the one a re-rendered form was drawn from (none if it had none). */
  version?: number | undefined;
  conflict?: EditConflict | undefined;
}

export function registryFormPage(props: RegistryFormProps): string {
  const { state, errors, client } = props;
  const { t } = props.viewer.i18n;
  const labels = registryFieldLabels(t);
  const title = client ? client.name : t("registry.newTitle");
  const action = client ? adminPaths.registryRecord(client.sysId) : adminPaths.registryNewClient;
  return renderPage(
    <AdminShell title={client ? t("registry.recordPageTitle", { name: client.name }) : t("registry.newPageTitle")} active="registry" viewer={props.viewer}>
      <PageHeader title={title} crumbs={[{ href: adminPaths.registry, label: t("registry.title") }]}>
        {client ? (
          <>
            <a class="btn btn-quiet" href={`${adminPaths.tokens}?client=${client.sysId}`}>
              {t("registry.tokens")}
            </a>
            <a class="btn btn-quiet" href={auditOf("oauth_entity", client.sysId)}>
              {t("registry.history")}
            </a>
          </>
        ) : null}
      </PageHeader>
      <p class="record-type">{t("registry.typeLong")}</p>
      <Flash message={props.flash} />
      <EditConflictNotice conflict={props.conflict} labels={labels} />
      <ErrorSummary errors={errors} labels={labels} />
      <form method="post" action={action} class="record-form" novalidate>
        <AdminFormFields viewer={props.viewer} />
        <VersionInput version={client ? props.version : undefined} />
        {/* The first submit button is what Enter presses: saving, not the lock toggle. */}
        <button type="submit" name="_action" value="submit" class="visually-hidden" tabindex={-1} aria-hidden="true">
          {t("registry.submit")}
        </button>
        <div class="form-grid">
          <div class="form-col">
            <TextField id="name" label={labels.name!} value={state.name} errors={errors} mandatory />
            <div class="field">
              <label for="client_id">{t("field.clientId")}</label>
              <input type="text" id="client_id" readonly value={client?.clientId ?? ""} placeholder={t("registry.clientIdGenerated")} class="mono" aria-describedby="client_id-hint" />
              <p class="hint" id="client_id-hint">
                {t("registry.clientIdHint")}
              </p>
            </div>
            <ClientSecretField recordSysId={client?.sysId ?? null} publicClient={client?.publicClient ?? state.publicClient} freshSecret={props.freshSecret} />
            <RedirectUrlField urls={state.redirectUrls} locked={state.redirectLocked} errors={errors} />
            <TextField id="logo_url" label={labels.logo_url!} value={state.logoUrl} errors={errors} inputmode="url" hint={t("registry.logoHint")} />
          </div>
          <div class="form-col">
            <Checkbox id="active" label={labels.active!} checked={state.active} errors={errors} hint={t("registry.activeHint")} />
            <Checkbox
              id="public_client"
              label={labels.public_client!}
              checked={state.publicClient}
              errors={errors}
              disabled={client !== null}
              hint={t(client ? "registry.publicFixed" : "registry.publicHint")}
            />
            <Checkbox id="pkce_required" label={labels.pkce_required!} checked={state.pkceRequired} errors={errors} hint={t("registry.pkceHint")} />
            <Checkbox id="allow_http_redirect" label={labels.allow_http_redirect!} checked={state.allowHttpRedirect} errors={errors} hint={t("registry.httpHint")} />
            <fieldset class="field" id="grant_types" aria-describedby={describedBy("grant_types", errors, "grant_types")}>
              <legend>{labels.grant_types}</legend>
              {grantTypeNames.map((grant) => (
                <div class="check-row">
                  <input type="checkbox" id={`grant_${grant}`} name="grant_types" value={grant} checked={state.grantTypes.includes(grant)} />
                  <label for={`grant_${grant}`}>
                    {t(`grant.${grant}`)} <code>{grant}</code>
                  </label>
                </div>
              ))}
              <FieldError id="grant_types" messages={errors.grant_types} />
            </fieldset>
            <TextField id="access_token_lifespan" label={labels.access_token_lifespan!} value={state.accessTokenLifespan} errors={errors} inputmode="numeric" suffix={t("common.seconds")} />
            <TextField id="refresh_token_lifespan" label={labels.refresh_token_lifespan!} value={state.refreshTokenLifespan} errors={errors} inputmode="numeric" suffix={t("common.seconds")} hint={t("registry.refreshHint")} />
            <TextField id="client_credentials_user" label={labels.client_credentials_user!} value={state.clientCredentialsUser} errors={errors} hint={t("registry.ccUserHint")} />
          </div>
        </div>
        <div class="field">
          <label for="comments">{labels.comments}</label>
          <textarea id="comments" name="comments" rows={3} aria-describedby={describedBy("comments", errors, "comments")}>
            {state.comments}
          </textarea>
          <FieldError id="comments" messages={errors.comments} />
        </div>
        <div class="form-actions">
          <button type="submit" name="_action" value="submit" class="btn btn-primary">
            {t(client ? "registry.update" : "registry.submit")}
          </button>
          <a class="btn btn-quiet" href={adminPaths.registry}>
            {t("common.cancel")}
          </a>
        </div>
      </form>
      {client ? (
        <section class="panel" aria-labelledby="delete-heading">
          <h2 id="delete-heading">{t("registry.delete.heading")}</h2>
          <p class="muted">{t("registry.delete.text")}</p>
          {/* To the confirmation page: deleting cannot be undone. */}
          <a class="btn btn-danger" href={adminPaths.registryDelete(client.sysId)}>
            {t("registry.delete.button")}
          </a>
        </section>
      ) : null}
      {client && props.history ? (
        <section class="history" aria-labelledby="history-heading">
          <h2 id="history-heading">{t("registry.history")}</h2>
          <AuditTable rows={props.history} showRecord={false} />
        </section>
      ) : null}
    </AdminShell>,
  );
}
