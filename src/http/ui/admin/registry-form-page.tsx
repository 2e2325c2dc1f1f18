import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import type { AuditListing } from "../../../store/audit-listing.ts";
import { adminPaths, auditOf } from "../../admin/admin-paths.ts";
import { grantTypeLabels, grantTypeNames, type RegistryFormState } from "../../admin/registry-form-input.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AuditTable } from "./audit-table.tsx";
import { ClientSecretField } from "./client-secret-field.tsx";
import { CsrfInput, describedBy, ErrorSummary, FieldError, type FieldErrors, Flash, PageHeader } from "./components.tsx";
import { RedirectUrlField } from "./redirect-url-field.tsx";

export const registryFieldLabels: Record<string, string> = {
  name: "Name",
  redirect_url: "Redirect URLs",
  logo_url: "Logo URL",
  public_client: "Public client",
  pkce_required: "PKCE required",
  allow_http_redirect: "Allow http redirect URLs",
  grant_types: "Grant types",
  access_token_lifespan: "Access Token Lifespan",
  refresh_token_lifespan: "Refresh Token Lifespan",
  client_credentials_user: "Client credentials user",
  active: "Active",
  comments: "Comments",
  client_secret: "Client Secret",
};

export interface RegistryFormProps {
  viewer: Viewer;
  state: RegistryFormState;
  errors: FieldErrors;
  /** Null while the record is new. */
  client: OAuthClient | null;
  freshSecret?: string | undefined;
  flash?: string | undefined;
  history?: AuditListing[];
}

function TextField(props: { id: string; value: string; errors: FieldErrors; hint?: string; mandatory?: boolean; inputmode?: "url" | "numeric"; suffix?: string }) {
  const label = registryFieldLabels[props.id]!;
  return (
    <div class="field">
      <label for={props.id}>
        {props.mandatory ? (
          <span class="mandatory" aria-hidden="true" title="mandatory">
            *
          </span>
        ) : null}
        {label}
      </label>
      <div class={props.suffix ? "with-suffix" : undefined}>
        <input
          type="text"
          id={props.id}
          name={props.id}
          value={props.value}
          inputmode={props.inputmode}
          aria-required={props.mandatory ? "true" : undefined}
          aria-invalid={props.errors[props.id] ? "true" : undefined}
          aria-describedby={describedBy(props.id, props.errors, props.id, !!props.hint)}
        />
        {props.suffix ? <span class="suffix">{props.suffix}</span> : null}
      </div>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={props.id} messages={props.errors[props.id]} />
    </div>
  );
}

function Checkbox(props: { id: string; checked: boolean; errors: FieldErrors; hint?: string; disabled?: boolean }) {
  return (
    <div class="field field-check">
      <input type="checkbox" id={props.id} name={props.id} value="true" checked={props.checked} disabled={props.disabled} aria-describedby={describedBy(props.id, props.errors, props.id, !!props.hint)} />
      <label for={props.id}>{registryFieldLabels[props.id]}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={props.id} messages={props.errors[props.id]} />
    </div>
  );
}

export function registryFormPage(props: RegistryFormProps): string {
  const { state, errors, client } = props;
  const title = client ? client.name : "New OAuth API endpoint";
  const action = client ? adminPaths.registryRecord(client.sysId) : adminPaths.registryNewClient;
  return renderPage(
    <AdminShell title={client ? `${client.name} · Application Registry` : "New record · Application Registry"} active="registry" viewer={props.viewer}>
      <PageHeader title={title} crumbs={[{ href: adminPaths.registry, label: "Application Registry" }]}>
        {client ? (
          <>
            <a class="btn btn-quiet" href={`${adminPaths.tokens}?client=${client.sysId}`}>
              Tokens
            </a>
            <a class="btn btn-quiet" href={auditOf("oauth_entity", client.sysId)}>
              History
            </a>
          </>
        ) : null}
      </PageHeader>
      <p class="record-type">OAuth API endpoint for external clients</p>
      <Flash message={props.flash} />
      <ErrorSummary errors={errors} labels={registryFieldLabels} />
      <form method="post" action={action} class="record-form" novalidate>
        <CsrfInput token={props.viewer.csrfToken} />
        {/* The first submit button is what Enter presses: saving, not the lock toggle. */}
        <button type="submit" name="_action" value="submit" class="visually-hidden" tabindex={-1} aria-hidden="true">
          Submit
        </button>
        <div class="form-grid">
          <div class="form-col">
            <TextField id="name" value={state.name} errors={errors} mandatory />
            <div class="field">
              <label for="client_id">Client ID</label>
              <input type="text" id="client_id" readonly value={client?.clientId ?? ""} placeholder="Generated when you submit" class="mono" aria-describedby="client_id-hint" />
              <p class="hint" id="client_id-hint">
                Generated by the instance; it cannot be changed.
              </p>
            </div>
            <ClientSecretField recordSysId={client?.sysId ?? null} publicClient={client?.publicClient ?? state.publicClient} freshSecret={props.freshSecret} />
            <RedirectUrlField urls={state.redirectUrls} locked={state.redirectLocked} errors={errors} />
            <TextField id="logo_url" value={state.logoUrl} errors={errors} inputmode="url" hint="An https URL of an image shown on the consent page; optional." />
          </div>
          <div class="form-col">
            <Checkbox id="active" checked={state.active} errors={errors} hint="An inactive client gets no tokens; deactivating revokes its live tokens." />
            <Checkbox
              id="public_client"
              checked={state.publicClient}
              errors={errors}
              disabled={client !== null}
              hint={client ? "Fixed when the record was created." : "For clients that cannot keep a secret (browser or native apps). They must use PKCE."}
            />
            <Checkbox id="pkce_required" checked={state.pkceRequired} errors={errors} hint="Require a code_challenge (S256) on every authorization request (RFC 9700)." />
            <Checkbox id="allow_http_redirect" checked={state.allowHttpRedirect} errors={errors} hint="Only for legacy clients; loopback hosts never need it." />
            <fieldset class="field" id="grant_types" aria-describedby={describedBy("grant_types", errors, "grant_types")}>
              <legend>Grant types</legend>
              {grantTypeNames.map((grant) => (
                <div class="check-row">
                  <input type="checkbox" id={`grant_${grant}`} name="grant_types" value={grant} checked={state.grantTypes.includes(grant)} />
                  <label for={`grant_${grant}`}>
                    {grantTypeLabels[grant]} <code>{grant}</code>
                  </label>
                </div>
              ))}
              <FieldError id="grant_types" messages={errors.grant_types} />
            </fieldset>
            <TextField id="access_token_lifespan" value={state.accessTokenLifespan} errors={errors} inputmode="numeric" suffix="seconds" />
            <TextField id="refresh_token_lifespan" value={state.refreshTokenLifespan} errors={errors} inputmode="numeric" suffix="seconds" hint="0 means no refresh tokens." />
            <TextField id="client_credentials_user" value={state.clientCredentialsUser} errors={errors} hint="The user a client_credentials token acts as (user name); optional." />
          </div>
        </div>
        <div class="field">
          <label for="comments">Comments</label>
          <textarea id="comments" name="comments" rows={3} aria-describedby={describedBy("comments", errors, "comments")}>
            {state.comments}
          </textarea>
          <FieldError id="comments" messages={errors.comments} />
        </div>
        <div class="form-actions">
          <button type="submit" name="_action" value="submit" class="btn btn-primary">
            {client ? "Update" : "Submit"}
          </button>
          <a class="btn btn-quiet" href={adminPaths.registry}>
            Cancel
          </a>
        </div>
      </form>
      {client && props.history ? (
        <section class="history" aria-labelledby="history-heading">
          <h2 id="history-heading">History</h2>
          <AuditTable rows={props.history} showRecord={false} />
        </section>
      ) : null}
    </AdminShell>,
  );
}
