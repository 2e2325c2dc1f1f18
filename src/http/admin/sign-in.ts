import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { findUserById } from "../../store/user-store.ts";
import { checkPasswordLogin, loginFailureText } from "../identity/password-login.ts";
import { crossSiteRequest, currentSession, endSession, loginCsrfToken, loginCsrfValid, sessionCsrfValid, startSession } from "../identity/login-session.ts";
import { paths } from "../paths.ts";
import { errorPage } from "../ui/authorize-pages.tsx";
import { signInPage } from "../ui/admin/sign-in-page.tsx";
import { requestTranslator, varyByLanguage } from "../i18n/request-locale.ts";
import { sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";

/** Only paths inside the admin area are followed after sign-in, so `next` cannot send anyone elsewhere. */
function safeNext(value: string | null | undefined): string {
  return value && /^\/admin(\/|\?|$)/.test(value) ? value : adminPaths.home;
}

function renderSignIn(instance: Instance, request: FastifyRequest, reply: FastifyReply, status: number, extra: { next: string; error?: string; userName?: string; notice?: string }): void {
  const csrfToken = loginCsrfToken(instance, request, reply);
  varyByLanguage(reply);
  sendAdminHTML(reply, status, signInPage({ i18n: requestTranslator(instance, request), csrfToken, issuer: instance.config.publicUrl, metadataUrl: instance.config.publicUrl + paths.metadata, ...extra }));
}

/** GET / — the sign-in form, or straight on to the admin pages when already signed in. */
export async function signInGet(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const query = request.query as Record<string, string | undefined>;
  const session = await currentSession(instance, request);
  const user = session && (await findUserById(instance.store.db, session.userSysId));
  if (session && user?.active) return void reply.redirect(safeNext(query.next), 303);
  const { t } = requestTranslator(instance, request);
  const notice = query.signed_out !== undefined ? t("signIn.signedOut") : query.ended !== undefined ? t("signIn.sessionEnded") : undefined;
  renderSignIn(instance, request, reply, 200, { next: safeNext(query.next), ...(notice ? { notice } : {}) });
}

/** POST /login.do — the same password check (and lockout) as the authorize flow's login form. */
export async function signInPost(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
  const next = safeNext(form.get("next"));
  if (crossSiteRequest(request) || !loginCsrfValid(instance, request, form.get("csrf_token"))) {
    return renderSignIn(instance, request, reply, 403, { next, error: requestTranslator(instance, request).t("signIn.expired") });
  }
  const userName = form.get("user_name") ?? "";
  const login = await checkPasswordLogin(instance, userName, form.get("user_password") ?? "", request.ip);
  if (!login.ok) return renderSignIn(instance, request, reply, 401, { next, userName, error: loginFailureText(login, requestTranslator(instance, request)) });
  await startSession(instance, reply, login.user.sysId);
  reply.redirect(next, 303);
}

/** POST /logout.do — ends the session; the session's CSRF token proves the form came from our page. */
export async function signOutPost(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
  const session = await currentSession(instance, request);
  if (session && (crossSiteRequest(request) || !sessionCsrfValid(session, form.get("csrf_token")))) {
    reply.code(403).header("cache-control", "no-store").type("text/html; charset=utf-8");
    const { t } = requestTranslator(instance, request);
    return void reply.send(errorPage({ i18n: requestTranslator(instance, request), title: t("refused.title"), message: t("signOut.refused") }));
  }
  await endSession(instance, request, reply);
  reply.redirect(`${adminPaths.signIn}?signed_out`, 303);
}
