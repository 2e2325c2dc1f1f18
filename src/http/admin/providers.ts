import { deleteProviderRevoking, updateProviderRevoking } from "../../consumer/token-revocation.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { obtainToken } from "../../consumer/connection-token.ts";
import { ProviderError } from "../../consumer/provider-http.ts";
import { worded } from "../../i18n/stored-text.ts";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import { type OAuthProvider, parseProviderCreate, parseProviderUpdate } from "../../domain/oauth-provider.ts";
import { carriedVersion, formVersion, StaleRecordError } from "../../domain/record-version.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { issue, NotFoundError, ValidationError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { connectionStatus, connectionStatuses } from "../../store/obtained-token-store.ts";
import { createProvider, findProvider, listProviders } from "../../store/provider-store.ts";
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import { fieldErrors, type FieldErrors } from "../ui/admin/components.tsx";
import { editConflict } from "../ui/admin/edit-conflict.tsx";
import { blankProviderForm, type ProviderFormState, providerFormPage, providerFormStateOf, providerFormText, type ProviderListing, providerPage } from "../ui/admin/provider-pages.tsx";
import { providerDeletePage } from "../ui/admin/confirm-page.tsx";
import { adminErrorPage } from "../ui/admin/sign-in-page.tsx";
import { type AdminContext, type AdminGateOptions, requireAdmin, requireAdminForm, seeOther, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";
import { setFlash, takeFlash } from "./flash.ts";
import { signInKeepingForm } from "./sign-in.ts";
import { oauthRedirectUrl } from "../../consumer/oauth-redirect-url.ts";

type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const redirectUrlOf = (instance: Instance) => oauthRedirectUrl(instance.config);

/** The providers on the registry list with their token's health, matching the list's filter text (name, client ID, token URL). */
export async function providerListing(db: Kysely<Database>, text: string): Promise<ProviderListing[]> {
  const [providers, statuses] = await Promise.all([listProviders(db), connectionStatuses(db)]);
  const needle = text.toLowerCase();
  return providers
    .filter((p) => !needle || [p.name, p.clientId, p.tokenUrl].some((v) => v.toLowerCase().includes(needle)))
    .map((provider) => ({ provider, token: statuses.find((s) => s.provider === provider.sysId) }));
}

/** What the form posted; a choice left out (a browser always sends both) keeps `fallback`'s, as the API keeps a default. */
function typedForm(form: URLSearchParams, fallback: ProviderFormState): ProviderFormState {
  const text = (name: keyof ProviderFormState) => form.get(name) ?? "";
  return {
    name: text("name"),
    client_id: text("client_id"),
    authorization_url: text("authorization_url"),
    token_url: text("token_url"),
    revocation_url: text("revocation_url"),
    default_grant: text("default_grant") || fallback.default_grant,
    credential_style: text("credential_style") || fallback.credential_style,
    scope: text("scope"),
    allow_http: form.has("allow_http"),
  };
}

/** GET /admin/registry/new/provider — "Connect to a third-party OAuth Provider". */
export const providerNewForm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) sendAdminHTML(reply, 200, providerFormPage({ viewer: admin.viewer, state: blankProviderForm, errors: {}, redirectUrl: redirectUrlOf(instance) }));
};

/** POST /admin/registry/new/provider — the same rules as the CLI and the registry API; on an error the form comes back, nothing stored. */
export const providerCreate: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply, { whenSignedOut: signInKeepingForm });
  if (!posted) return;
  const { admin, form } = posted;
  const typed = typedForm(form, blankProviderForm);
  if (form.get("_action") === "restore") return sendAdminHTML(reply, 200, providerFormPage({ viewer: admin.viewer, state: typed, errors: {}, redirectUrl: redirectUrlOf(instance), notice: admin.viewer.i18n.t("resume.restored") }));
  try {
    const settings = parseProviderCreate({ ...typed, client_secret: form.get("client_secret") ?? "" });
    const created = await createProvider(instance.store.db, instanceSecretBox(instance), settings, redirectUrlOf(instance), admin.actor);
    setFlash(instance, reply, admin.session, { message: admin.viewer.i18n.t("provider.created", { name: created.name }) });
    seeOther(reply, adminPaths.provider(created.sysId));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    sendAdminHTML(reply, 400, providerFormPage({ viewer: admin.viewer, state: typed, errors: fieldErrors(error.issues, admin.viewer.i18n), redirectUrl: redirectUrlOf(instance) }));
  }
};

async function providerFromPath(instance: Instance, request: FastifyRequest, reply: FastifyReply, admin: AdminContext): Promise<OAuthProvider | undefined> {
  const { sysId } = request.params as { sysId: string };
  const provider = sysIdPattern.test(sysId) ? await findProvider(instance.store.db, sysId) : undefined;
  if (!provider || provider.sysId !== sysId) {
    sendAdminHTML(reply, 404, adminErrorPage({ viewer: admin.viewer, title: admin.viewer.i18n.t("provider.notFoundTitle"), message: admin.viewer.i18n.t("provider.notFound") }));
    return undefined;
  }
  return provider;
}

/** A POST on one provider's page: the admin (CSRF token checked), the form and the record; undefined once an error page was sent. */
async function postedToProvider(instance: Instance, request: FastifyRequest, reply: FastifyReply, options: AdminGateOptions = {}): Promise<{ admin: AdminContext; form: URLSearchParams; provider: OAuthProvider } | undefined> {
  const posted = await requireAdminForm(instance, request, reply, options);
  if (!posted) return undefined;
  const provider = await providerFromPath(instance, request, reply, posted.admin);
  return provider && { ...posted, provider };
}

async function renderProvider(instance: Instance, reply: FastifyReply, admin: AdminContext, provider: OAuthProvider, status: number, extra: { errors?: FieldErrors; flash?: string | undefined; failure?: string; username?: string }) {
  const token = await connectionStatus(instance.store.db, provider.sysId);
  // Also the answer to Get OAuth Token's POST: the page's forms and language switch name the page, not the action.
  sendAdminHTML(reply, status, providerPage({ viewer: { ...admin.viewer, path: adminPaths.provider(provider.sysId) }, provider, redirectUrl: redirectUrlOf(instance), token, errors: extra.errors ?? {}, flash: extra.flash, failure: extra.failure, username: extra.username ?? "" }));
}

/** GET /admin/providers/{sys_id} */
export const providerShow: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const provider = await providerFromPath(instance, request, reply, admin);
  if (provider) await renderProvider(instance, reply, admin, provider, 200, { flash: takeFlash(instance, request, reply, admin.session).message });
};

/**
 * POST /admin/providers/{sys_id}/token — "Get OAuth Token" for the grants that need no browser
 * (client_credentials, password). The Authorization Code grant goes through the browser flow instead.
 */
export const providerToken: Handler = async (instance, request, reply) => {
  const posted = await postedToProvider(instance, request, reply, { whenSignedOut: signInKeepingForm });
  if (!posted) return;
  const { admin, form, provider } = posted;
  const { t } = admin.viewer.i18n;
  // Back from signing in again: the page with the user name typed (the password is never carried), and no token asked for.
  if (form.get("_action") === "restore") return renderProvider(instance, reply, admin, provider, 200, { flash: t("resume.restored"), username: form.get("username") ?? "" });
  if (provider.defaultGrant === "authorization_code") return seeOther(reply, adminPaths.providerAuthorize(provider.sysId));
  let login: { username: string; password: string } | undefined;
  if (provider.defaultGrant === "password") {
    const username = (form.get("username") ?? "").trim();
    const password = form.get("password") ?? "";
    const missing = [...(username ? [] : [issue("username", "validation.mandatory")]), ...(password ? [] : [issue("password", "validation.mandatory")])];
    if (missing.length) return renderProvider(instance, reply, admin, provider, 400, { errors: fieldErrors(missing, admin.viewer.i18n), username });
    login = { username, password };
  }
  try {
    await obtainToken(instance, provider, provider.defaultGrant, login);
  } catch (failure) {
    if (!(failure instanceof ProviderError)) throw failure;
    return renderProvider(instance, reply, admin, provider, 502, { failure: t("provider.tokenFailed", { name: provider.name, reason: worded(failure.text, t) }), ...(login ? { username: login.username } : {}) });
  }
  setFlash(instance, reply, admin.session, { message: t("provider.gotToken", { name: provider.name }) });
  seeOther(reply, adminPaths.provider(provider.sysId));
};

/** GET /admin/providers/{sys_id}/delete — the confirmation step; nothing changes until it is submitted. */
export const providerDeleteConfirm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const provider = await providerFromPath(instance, request, reply, admin);
  if (!provider) return;
  sendAdminHTML(reply, 200, providerDeletePage({ viewer: admin.viewer, provider }));
};

/** POST /admin/providers/{sys_id}/delete — the record and its stored token; the registry list shows the result. */
export const providerDelete: Handler = async (instance, request, reply) => {
  const posted = await postedToProvider(instance, request, reply);
  if (!posted) return;
  const { admin, provider } = posted;
  const { t } = admin.viewer.i18n;
  const outcome = await deleteProviderRevoking(instance, provider, admin.actor);
  const revocation = outcome.kind === "revoked" ? ` ${t("provider.revokedAtProvider")}` : outcome.kind === "failed" ? ` ${t("provider.revocationFailed", { reason: worded(outcome.reason, t) })}` : "";
  setFlash(instance, reply, admin.session, { message: t("provider.deleted", { name: provider.name }) + revocation });
  seeOther(reply, adminPaths.registry);
};

/** GET /admin/providers/{sys_id}/edit — the record's fields in the provider form; the secret field empty. */
export const providerEditForm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const provider = await providerFromPath(instance, request, reply, admin);
  if (provider) sendAdminHTML(reply, 200, providerFormPage({ viewer: admin.viewer, state: providerFormStateOf(provider), errors: {}, redirectUrl: redirectUrlOf(instance), editing: provider, version: provider.modCount }));
};

/**
 * POST /admin/providers/{sys_id}/edit — the same rules as `provider update` and PATCH on the
 * registry API. An empty secret keeps the stored one. On an error the form comes back with what
 * was typed and nothing is changed or revoked.
 */
export const providerUpdate: Handler = async (instance, request, reply) => {
  const posted = await postedToProvider(instance, request, reply, { whenSignedOut: signInKeepingForm });
  if (!posted) return;
  const { admin, form, provider } = posted;
  const { t } = admin.viewer.i18n;
  const typed = typedForm(form, providerFormStateOf(provider));
  const secret = form.get("client_secret") ?? "";
  const expected = formVersion(form.get("sys_mod_count"));
  if (form.get("_action") === "restore") {
    return sendAdminHTML(reply, 200, providerFormPage({ viewer: admin.viewer, state: typed, errors: {}, redirectUrl: redirectUrlOf(instance), editing: provider, version: carriedVersion(expected), notice: t("resume.restored") }));
  }
  try {
    const updated = await updateProviderRevoking(instance, provider, parseProviderUpdate({ ...typed, ...(secret ? { client_secret: secret } : {}) }), admin.actor, expected);
    const outcome = updated.revocation.kind === "revoked" ? ` ${t("provider.revokedAtOldProvider")}` : updated.revocation.kind === "failed" ? ` ${t("provider.revocationFailedOld", { reason: worded(updated.revocation.reason, t) })}` : "";
    const message = updated.changed.length ? t("provider.updated", { name: updated.provider.name }) : t("provider.unchanged");
    setFlash(instance, reply, admin.session, { message: message + (updated.tokenDiscarded ? ` ${t("provider.tokenDiscarded")}${outcome}` : "") });
    seeOther(reply, adminPaths.provider(provider.sysId));
  } catch (error) {
    if (error instanceof NotFoundError) return void (await providerFromPath(instance, request, reply, admin));
    if (error instanceof StaleRecordError) {
      // The form keeps what was typed (but the secret) and now edits the version just read: saving again is a deliberate overwrite.
      const stored = (await findProvider(instance.store.db, provider.sysId)) ?? provider;
      const conflict = editConflict(stored, providerFormText(typed, t), providerFormText(providerFormStateOf(stored), t));
      // A secret is never put back into a page: one typed must be typed again, or saving again would keep the stored one.
      const errors: FieldErrors = secret ? { client_secret: [t("conflict.secretAgain")] } : {};
      return sendAdminHTML(reply, 409, providerFormPage({ viewer: admin.viewer, state: typed, errors, redirectUrl: redirectUrlOf(instance), editing: stored, version: stored.modCount, conflict }));
    }
    if (!(error instanceof ValidationError)) throw error;
    sendAdminHTML(reply, 400, providerFormPage({ viewer: admin.viewer, state: typed, errors: fieldErrors(error.issues, admin.viewer.i18n), redirectUrl: redirectUrlOf(instance), editing: provider, version: carriedVersion(expected) }));
  }
};
