import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { findUserById, rolesOf } from "../../store/user-store.ts";
import type { LoginSession } from "../../store/session-store.ts";
import { crossSiteRequest, currentSession, sentSessionCookie, sessionCsrfValid } from "../identity/login-session.ts";
import type { Viewer } from "../ui/admin/admin-layout.tsx";
import { adminErrorPage, forbiddenPage } from "../ui/admin/sign-in-page.tsx";
import { requestTranslator, varyByLanguage } from "../i18n/request-locale.ts";
import { adminPaths } from "./admin-paths.ts";
import { adminReturnPath } from "./return-path.ts";

/** Admin pages load nothing from elsewhere: stricter than the app-wide policy, which allows the authorize pages' inline style. */
const adminContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function sendAdminHTML(reply: FastifyReply, status: number, html: string): void {
  reply.code(status).header("cache-control", "no-store").header("content-security-policy", adminContentSecurityPolicy).type("text/html; charset=utf-8").send(html);
}

export interface AdminContext {
  session: LoginSession;
  viewer: Viewer;
  /** Who the audit trail names for changes made on these pages. */
  actor: string;
  userSysId: string;
}

type Answer = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void> | void;

export interface AdminGateOptions {
  /** How a form posted without a session is answered instead of the sign-in redirect (sign-in.ts keeps what was typed). */
  whenSignedOut?: Answer;
}

/**
 * To the sign-in page, coming back to the page asked for. A form posted is not sent again (a
 * revoke or a deactivation must not happen unseen): it comes back to the page it was on, its
 * `from`, to be pressed again; without one, to the overview.
 */
export function redirectToSignIn(instance: Instance, request: FastifyRequest, reply: FastifyReply): void {
  const form = request.body instanceof URLSearchParams ? request.body : undefined;
  const next = request.method === "GET" ? request.url : (adminReturnPath(form?.get("from")) ?? adminPaths.home);
  // A cookie without a session: it expired or was ended elsewhere, and the sign-in page says so.
  const ended: Record<string, string> = sentSessionCookie(instance, request) ? { ended: "1" } : {};
  reply.redirect(`${adminPaths.signIn}?${new URLSearchParams({ next, ...ended })}`, 303);
}

/** The signed-in user when they hold admin; otherwise answers (sign-in redirect or 403 page) and returns undefined. */
export async function requireAdmin(instance: Instance, request: FastifyRequest, reply: FastifyReply, options: AdminGateOptions = {}): Promise<AdminContext | undefined> {
  const session = await currentSession(instance, request);
  const user = session && (await findUserById(instance.store.db, session.userSysId));
  if (!session || !user?.active) {
    await (request.method === "POST" && options.whenSignedOut ? options.whenSignedOut : redirectToSignIn)(instance, request, reply);
    return undefined;
  }
  varyByLanguage(reply);
  const viewer = { userName: user.userName, csrfToken: session.csrfToken, i18n: requestTranslator(instance, request, user.preferredLanguage), path: request.url };
  if (!(await rolesOf(instance.store.db, user.sysId)).includes("admin")) {
    sendAdminHTML(reply, 403, forbiddenPage({ viewer }));
    return undefined;
  }
  return { session, viewer, actor: user.userName, userSysId: user.sysId };
}

/**
 * For every admin POST: an admin session, a same-site request and the session's synchronizer
 * token. Anything else is refused before the handler reads the form, so nothing changes.
 */
export async function requireAdminForm(instance: Instance, request: FastifyRequest, reply: FastifyReply, options: AdminGateOptions = {}): Promise<{ admin: AdminContext; form: URLSearchParams } | undefined> {
  const admin = await requireAdmin(instance, request, reply, options);
  if (!admin) return undefined;
  const form = request.body instanceof URLSearchParams ? request.body : undefined;
  if (!form || crossSiteRequest(request) || !sessionCsrfValid(admin.session, form.get("csrf_token"))) {
    sendAdminHTML(reply, 403, adminErrorPage({ viewer: admin.viewer, title: admin.viewer.i18n.t("refused.title"), message: admin.viewer.i18n.t("refused.body") }));
    return undefined;
  }
  return { admin, form };
}

/** POST-redirect-GET: every successful change answers 303 to a page that shows the result. */
export function seeOther(reply: FastifyReply, location: string): void {
  reply.redirect(location, 303);
}
