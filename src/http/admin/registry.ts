import type { FastifyReply, FastifyRequest } from "fastify";
import type { GrantType, OAuthClient } from "../../domain/oauth-entity.ts";
import { carriedVersion, formVersion, StaleRecordError } from "../../domain/record-version.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { issueText, NotFoundError, ValidationError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { listAudit } from "../../store/audit-listing.ts";
import { registrySortKeys, searchClients } from "../../store/client-search.ts";
import { createClient, deleteClient, findClientBySysId, regenerateClientSecret, updateClient } from "../../store/oauth-entity-store.ts";
import { findUserById } from "../../store/user-store.ts";
import { fieldErrors, type FieldErrors } from "../ui/admin/components.tsx";
import { interceptorPage } from "../ui/admin/interceptor-page.tsx";
import { clientDeletePage, regenerateSecretPage } from "../ui/admin/confirm-page.tsx";
import { editConflict } from "../ui/admin/edit-conflict.tsx";
import { registryFormPage } from "../ui/admin/registry-form-page.tsx";
import { registryListPage } from "../ui/admin/registry-list-page.tsx";
import { adminErrorPage } from "../ui/admin/sign-in-page.tsx";
import { type AdminContext, requireAdmin, requireAdminForm, seeOther, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";
import { setFlash, takeFlash } from "./flash.ts";
import { listQuery } from "./list-query.ts";
import { signInKeepingForm } from "./sign-in.ts";
import { providerListing } from "./providers.ts";
import { blankRegistryForm, registryFormFrom, registryFormOf, registryFormText, registryInput, type RegistryFormState } from "./registry-form-input.ts";

type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** GET /admin/registry — the list, filtered and sorted by query parameters so a view can be bookmarked. */
export const registryList: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const query = listQuery(request, registrySortKeys, "name");
  const [found, providers] = await Promise.all([searchClients(instance.store.db, query), providerListing(instance.store.db, query.text)]);
  sendAdminHTML(reply, 200, registryListPage({ viewer: admin.viewer, found, providers, query: { ...query, page: found.page }, flash: takeFlash(instance, request, reply, admin.session).message }));
};

export const registryInterceptor: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) sendAdminHTML(reply, 200, interceptorPage({ viewer: admin.viewer }));
};

export const registryNewForm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) sendAdminHTML(reply, 200, registryFormPage({ viewer: admin.viewer, state: blankRegistryForm(), errors: {}, client: null }));
};

async function recordFromPath(instance: Instance, request: FastifyRequest, reply: FastifyReply, admin: AdminContext): Promise<OAuthClient | undefined> {
  const { sysId } = request.params as { sysId: string };
  const client = sysIdPattern.test(sysId) ? await findClientBySysId(instance.store.db, sysId) : undefined;
  if (!client) sendAdminHTML(reply, 404, adminErrorPage({ viewer: admin.viewer, title: admin.viewer.i18n.t("registry.notFoundTitle"), message: admin.viewer.i18n.t("registry.notFound") }));
  return client;
}

async function renderRecord(
  instance: Instance,
  reply: FastifyReply,
  admin: AdminContext,
  client: OAuthClient,
  options: { status: number; state?: RegistryFormState; errors?: FieldErrors; freshSecret?: string; flash?: string; version?: number | undefined; conflict?: boolean },
) {
  const ccUser = client.clientCredentialsUser ? await findUserById(instance.store.db, client.clientCredentialsUser) : undefined;
  const history = await listAudit(instance.store.db, { tablename: "oauth_entity", documentkey: client.sysId, limit: 50 });
  const stored = registryFormOf(client, ccUser?.userName ?? "");
  const state = options.state ?? stored;
  const { t } = admin.viewer.i18n;
  const yesNo = (value: boolean) => t(value ? "common.true" : "common.false");
  // The form keeps what the admin typed and now edits the version just read, so saving again is a deliberate overwrite.
  const grantLabel = (grant: GrantType) => t(`grant.${grant}`);
  const conflict = options.conflict ? editConflict(client, registryFormText(state, yesNo, grantLabel), registryFormText(stored, yesNo, grantLabel)) : undefined;
  sendAdminHTML(reply, options.status, registryFormPage({ viewer: admin.viewer, state, errors: options.errors ?? {}, client, freshSecret: options.freshSecret, flash: options.flash, history, version: conflict ? client.modCount : options.version, conflict }));
}

/** POST /admin/registry/new/client — save, or re-render for the redirect list's lock and add-row buttons. */
export const registryCreate: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply, { whenSignedOut: signInKeepingForm });
  if (!posted) return;
  const { admin, form } = posted;
  const { state, action } = registryFormFrom(form);
  const restored = action === "restore" ? { flash: admin.viewer.i18n.t("resume.restored") } : {};
  if (action !== "submit") return sendAdminHTML(reply, 200, registryFormPage({ viewer: admin.viewer, state, errors: {}, client: null, ...restored }));
  try {
    const created = await createClient(instance.store.db, registryInput(state, "create"), admin.actor);
    setFlash(instance, reply, admin.session, {
      message: posted.admin.viewer.i18n.t("registry.created", { name: created.client.name }),
      ...(created.clientSecret ? { secret: { recordSysId: created.client.sysId, value: created.clientSecret } } : {}),
    });
    seeOther(reply, adminPaths.registryRecord(created.client.sysId));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    sendAdminHTML(reply, 400, registryFormPage({ viewer: admin.viewer, state, errors: fieldErrors(error.issues, admin.viewer.i18n), client: null }));
  }
};

export const registryRecord: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const client = await recordFromPath(instance, request, reply, admin);
  if (!client) return;
  const flash = takeFlash(instance, request, reply, admin.session);
  const freshSecret = flash.secret?.recordSysId === client.sysId ? flash.secret.value : undefined;
  await renderRecord(instance, reply, admin, client, { status: 200, version: client.modCount, ...(freshSecret ? { freshSecret } : {}), ...(flash.message ? { flash: flash.message } : {}) });
};

export const registryUpdate: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply, { whenSignedOut: signInKeepingForm });
  if (!posted) return;
  const { admin, form } = posted;
  const client = await recordFromPath(instance, request, reply, admin);
  if (!client) return;
  const { state, action } = registryFormFrom(form);
  state.publicClient = client.publicClient;
  const expected = formVersion(form.get("sys_mod_count"));
  const version = carriedVersion(expected);
  if (action !== "submit") return renderRecord(instance, reply, admin, client, { status: 200, state, version, ...(action === "restore" ? { flash: admin.viewer.i18n.t("resume.restored") } : {}) });
  try {
    await updateClient(instance.store.db, client.sysId, registryInput(state, "update"), admin.actor, expected);
    setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("registry.updated", { name: state.name.trim() }) });
    seeOther(reply, adminPaths.registryRecord(client.sysId));
  } catch (error) {
    if (error instanceof NotFoundError) return void (await recordFromPath(instance, request, reply, admin));
    if (error instanceof StaleRecordError) return renderRecord(instance, reply, admin, (await findClientBySysId(instance.store.db, client.sysId)) ?? client, { status: 409, state, conflict: true });
    if (!(error instanceof ValidationError)) throw error;
    await renderRecord(instance, reply, admin, client, { status: 400, state, errors: fieldErrors(error.issues, admin.viewer.i18n), version });
  }
};

/** GET …/regenerate — the confirmation step; nothing changes until it is submitted. */
export const regenerateConfirm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const client = await recordFromPath(instance, request, reply, admin);
  if (client) sendAdminHTML(reply, 200, regenerateSecretPage({ viewer: admin.viewer, client }));
};

export const regenerateSecret: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply);
  if (!posted) return;
  const client = await recordFromPath(instance, request, reply, posted.admin);
  if (!client) return;
  try {
    const { clientSecret } = await regenerateClientSecret(instance.store.db, client.sysId, posted.admin.actor);
    setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("registry.regenerated"), ...(clientSecret ? { secret: { recordSysId: client.sysId, value: clientSecret } } : {}) });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    setFlash(instance, reply, posted.admin.session, { message: error.issues.map((i) => issueText(i, posted.admin.viewer.i18n)).join("; ") });
  }
  seeOther(reply, adminPaths.registryRecord(client.sysId));
};

/** GET …/delete — the confirmation step; nothing changes until it is submitted. */
export const registryDeleteConfirm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const client = await recordFromPath(instance, request, reply, admin);
  if (client) sendAdminHTML(reply, 200, clientDeletePage({ viewer: admin.viewer, client }));
};

/** POST …/delete — the endpoint with its tokens and codes; the list says what went. */
export const registryDelete: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply);
  if (!posted) return;
  const client = await recordFromPath(instance, request, reply, posted.admin);
  if (!client) return;
  const deleted = await deleteClient(instance.store.db, client.sysId, posted.admin.actor);
  setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("registry.deleted", { name: deleted.name }) });
  seeOther(reply, adminPaths.registry);
};
