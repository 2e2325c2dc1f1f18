import { defaultGrantTypes, type GrantType, lifespanLimits, type OAuthClient } from "../../domain/oauth-entity.ts";
import { grantTypesText } from "../ui/admin/grant-types-text.ts";

/**
 * The registry form as typed, kept verbatim so a re-render (a validation error, the lock
 * toggle) shows exactly what the admin entered. Turning it into a record is the domain's job.
 */
export interface RegistryFormState {
  name: string;
  redirectUrls: string[];
  redirectLocked: boolean;
  logoUrl: string;
  publicClient: boolean;
  pkceRequired: boolean;
  allowHttpRedirect: boolean;
  grantTypes: string[];
  accessTokenLifespan: string;
  refreshTokenLifespan: string;
  clientCredentialsUser: string;
  active: boolean;
  comments: string;
}

/** What a submit button asked for: save, one of the redirect list's no-JavaScript controls, or the form back after signing in again. */
export type RegistryFormAction = "submit" | "unlock" | "lock" | "add_row" | "restore";

export function blankRegistryForm(): RegistryFormState {
  return {
    name: "",
    redirectUrls: [],
    redirectLocked: true,
    logoUrl: "",
    publicClient: false,
    pkceRequired: true,
    allowHttpRedirect: false,
    grantTypes: [...defaultGrantTypes],
    accessTokenLifespan: String(lifespanLimits.access.default),
    refreshTokenLifespan: String(lifespanLimits.refresh.default),
    clientCredentialsUser: "",
    active: true,
    comments: "",
  };
}

export function registryFormOf(client: OAuthClient, clientCredentialsUserName: string): RegistryFormState {
  return {
    name: client.name,
    redirectUrls: client.redirectUrls,
    redirectLocked: true,
    logoUrl: client.logoUrl,
    publicClient: client.publicClient,
    pkceRequired: client.pkceRequired,
    allowHttpRedirect: client.allowHttpRedirect,
    grantTypes: client.grantTypes,
    accessTokenLifespan: String(client.accessTokenLifespan),
    refreshTokenLifespan: String(client.refreshTokenLifespan),
    clientCredentialsUser: clientCredentialsUserName,
    active: client.active,
    comments: client.comments,
  };
}

/** Reads the posted form; unchecked checkboxes are absent, which means false. */
export function registryFormFrom(form: URLSearchParams): { state: RegistryFormState; action: RegistryFormAction } {
  const action = form.get("_action");
  const state: RegistryFormState = {
    name: form.get("name") ?? "",
    redirectUrls: form.getAll("redirect_url").map((u) => u.trim()).filter((u) => u !== ""),
    redirectLocked: form.get("redirect_locked") !== "false",
    logoUrl: form.get("logo_url") ?? "",
    publicClient: form.has("public_client"),
    pkceRequired: form.has("pkce_required"),
    allowHttpRedirect: form.has("allow_http_redirect"),
    grantTypes: form.getAll("grant_types"),
    accessTokenLifespan: form.get("access_token_lifespan") ?? "",
    refreshTokenLifespan: form.get("refresh_token_lifespan") ?? "",
    clientCredentialsUser: form.get("client_credentials_user") ?? "",
    active: form.has("active"),
    comments: form.get("comments") ?? "",
  };
  if (action === "unlock") state.redirectLocked = false;
  if (action === "lock") state.redirectLocked = true;
  return { state, action: action === "unlock" || action === "lock" || action === "add_row" || action === "restore" ? action : "submit" };
}

/** The record fields the domain parses (parseClientCreate / parseClientUpdate), named as on the wire. */
export function registryInput(state: RegistryFormState, mode: "create" | "update"): Record<string, unknown> {
  return {
    name: state.name,
    redirect_url: state.redirectUrls,
    logo_url: state.logoUrl,
    ...(mode === "create" ? { public_client: state.publicClient } : {}),
    pkce_required: state.pkceRequired,
    allow_http_redirect: state.allowHttpRedirect,
    grant_types: state.grantTypes,
    access_token_lifespan: state.accessTokenLifespan.trim(),
    refresh_token_lifespan: state.refreshTokenLifespan.trim(),
    client_credentials_user: state.clientCredentialsUser.trim() || null,
    active: state.active,
    comments: state.comments,
  };
}

/** The form as the admin reads it, by wire field name: what an edit conflict compares and shows. */
export function registryFormText(state: RegistryFormState, yesNo: (value: boolean) => string, grantLabel: (grant: GrantType) => string): Record<string, string> {
  return {
    name: state.name.trim(),
    redirect_url: state.redirectUrls.join(", "),
    logo_url: state.logoUrl.trim(),
    pkce_required: yesNo(state.pkceRequired),
    allow_http_redirect: yesNo(state.allowHttpRedirect),
    grant_types: grantTypesText(state.grantTypes, grantLabel),
    access_token_lifespan: state.accessTokenLifespan.trim(),
    refresh_token_lifespan: state.refreshTokenLifespan.trim(),
    client_credentials_user: state.clientCredentialsUser.trim(),
    active: yesNo(state.active),
    // A browser sends a textarea's line breaks as CRLF.
    comments: state.comments.replace(/\r\n/g, "\n"),
  };
}

