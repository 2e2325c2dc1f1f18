import type { FastifyReply, FastifyRequest } from "fastify";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { NotFoundError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { findClientBySysId, listClients } from "../../store/oauth-entity-store.ts";
import { cursorParam, glideTimeCursor, type KeysetCursor } from "../../store/keyset-cursor.ts";
import { findTokenListing, listTokens, revokeAllTokensOfClient, revokeTokenByAdmin } from "../../store/token-listing.ts";
import { revokeAllTokensPage, revokeTokenPage } from "../ui/admin/confirm-page.tsx";
import { adminErrorPage } from "../ui/admin/sign-in-page.tsx";
import { tokensPage } from "../ui/admin/tokens-page.tsx";
import { requireAdmin, requireAdminForm, seeOther, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";
import { setFlash, takeFlash } from "./flash.ts";

type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const listLimit = 500;

export const tokensList: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const clients = await listClients(instance.store.db);
  const query = request.query as Record<string, unknown>;
  // A client that no longer exists (a stale link, after revoking all of a deleted client) is no filter: the choice shows All clients, so the list does too.
  const shown = listOf(clients.some((c) => c.sysId === query.client) ? query.client : undefined, query.older);
  const { clientSysId, older } = shown;
  // One more than a page: whether there is an older page to link to.
  const found = await listTokens(instance.store.db, { ...(clientSysId ? { clientSysId } : {}), limit: listLimit + 1, older });
  const tokens = found.slice(0, listLimit);
  const last = tokens.at(-1);
  const pages = {
    olderHref: found.length > listLimit && last ? tokenListHref(listFields(clientSysId, { time: last.issuedOn, sysId: last.sysId })) : undefined,
    newestHref: older ? tokenListHref(listFields(clientSysId, undefined)) : undefined,
  };
  const flash = takeFlash(instance, request, reply, admin.session).message;
  sendAdminHTML(reply, 200, tokensPage({ viewer: admin.viewer, tokens, clients, clientSysId, listFields: shown.fields, flash, limit: listLimit, pages, olderPage: older !== undefined }));
};

function listFields(clientSysId: string | undefined, older: KeysetCursor<string> | undefined): Record<string, string> {
  return { ...(clientSysId ? { client: clientSysId } : {}), ...(older ? { older: cursorParam(older) } : {}) };
}

function tokenListHref(fields: Record<string, string>): string {
  const query = new URLSearchParams(fields).toString();
  return query ? `${adminPaths.tokens}?${query}` : adminPaths.tokens;
}

/** Which page of Manage Tokens: all tokens or one client's, the newest page or an older one. */
interface TokenList {
  clientSysId: string | undefined;
  older: KeysetCursor<string> | undefined;
  href: string;
  /** The same as query parameters or hidden fields. */
  fields: Record<string, string>;
}

/**
 * The list a revoke was chosen from, carried by the revoke link, its confirmation and its form
 * so the admin lands back on that page. Anything not a sys_id or a cursor is dropped (all
 * clients, the newest page).
 */
function listOf(client: unknown, olderParam: unknown): TokenList {
  const clientSysId = typeof client === "string" && sysIdPattern.test(client) ? client : undefined;
  const older = glideTimeCursor(olderParam);
  const fields = listFields(clientSysId, older);
  return { clientSysId, older, href: tokenListHref(fields), fields };
}

function listOfQuery(request: FastifyRequest): TokenList {
  const query = request.query as Record<string, unknown>;
  return listOf(query.client, query.older);
}

/** GET /admin/tokens/{sys_id}/revoke — the confirmation step, naming the token; nothing changes until it is submitted. */
export const tokenRevokeConfirm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const { sysId } = request.params as { sysId: string };
  const token = sysIdPattern.test(sysId) ? await findTokenListing(instance.store.db, sysId) : undefined;
  const { t } = admin.viewer.i18n;
  if (!token) return sendAdminHTML(reply, 404, adminErrorPage({ viewer: admin.viewer, title: t("tokens.notFoundTitle"), message: t("tokens.flash.tokenGone") }));
  const list = listOfQuery(request);
  sendAdminHTML(reply, 200, revokeTokenPage({ viewer: admin.viewer, token, back: list.href, listFields: list.fields }));
};

/** POST /admin/tokens/{sys_id}/revoke — back to the list it was chosen from, which shows the token revoked. */
export const tokenRevoke: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply);
  if (!posted) return;
  const { sysId } = request.params as { sysId: string };
  try {
    if (!sysIdPattern.test(sysId)) throw new NotFoundError();
    await revokeTokenByAdmin(instance.store.db, sysId, posted.admin.actor);
    setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("tokens.flash.revoked") });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("tokens.flash.tokenGone") });
  }
  seeOther(reply, listOf(posted.form.get("client"), posted.form.get("older")).href);
};

/** GET /admin/tokens/revoke-client?client={sys_id} — the confirmation step; nothing changes until it is submitted. */
export const tokensRevokeClientConfirm: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const { client: clientSysId } = request.query as Record<string, unknown>;
  const client = typeof clientSysId === "string" && sysIdPattern.test(clientSysId) ? await findClientBySysId(instance.store.db, clientSysId) : undefined;
  const { t } = admin.viewer.i18n;
  if (!client) return sendAdminHTML(reply, 404, adminErrorPage({ viewer: admin.viewer, title: t("registry.notFoundTitle"), message: t("registry.notFound") }));
  sendAdminHTML(reply, 200, revokeAllTokensPage({ viewer: admin.viewer, client }));
};

export const tokensRevokeClient: Handler = async (instance, request, reply) => {
  const posted = await requireAdminForm(instance, request, reply);
  if (!posted) return;
  const clientSysId = posted.form.get("client") ?? "";
  try {
    if (!sysIdPattern.test(clientSysId)) throw new NotFoundError();
    const count = await revokeAllTokensOfClient(instance.store.db, clientSysId, posted.admin.actor);
    setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("tokens.flash.revokedAll", { count }) });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    setFlash(instance, reply, posted.admin.session, { message: posted.admin.viewer.i18n.t("tokens.flash.clientGone") });
  }
  seeOther(reply, `${adminPaths.tokens}?client=${encodeURIComponent(clientSysId)}`);
};
