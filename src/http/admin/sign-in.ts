import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { findUserById } from "../../store/user-store.ts";
import { checkPasswordLogin, invalidLogin, loginFailureText } from "../identity/password-login.ts";
import { crossSiteRequest, currentSession, endSession, loginCsrfToken, loginCsrfValid, sessionCsrfValid, startSession } from "../identity/login-session.ts";
import { paths } from "../paths.ts";
import { errorPage } from "../ui/authorize-pages.tsx";
import { resumeFormPage, signInPage } from "../ui/admin/sign-in-page.tsx";
import { requestTranslator, varyByLanguage } from "../i18n/request-locale.ts";
import { redirectToSignIn, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";
import { adminReturnPath } from "./return-path.ts";

/** Only paths inside the admin area are followed after sign-in, so `next` cannot send anyone elsewhere. */
function safeNext(value: string | null | undefined): string {
  return adminReturnPath(value) ?? adminPaths.home;
}

/** What a form posted after its session ended carries through the sign-in page: where it went, and what was typed. */
interface KeptForm {
  to: string;
  form: string;
}

/** Never carried: the ended session's CSRF token, what the form asked for, the page it was on (it comes back to its own), and secrets, which never go back into a page. */
const notKept = new Set(["csrf_token", "_action", "client_secret", "password", "from"]);

/**
 * A form posted after its session ended (it expired while the admin typed): rather than dropping
 * what was typed, the sign-in page carries it, and once signed in the form comes back with it,
 * unsaved. Only a post from this instance's own page is kept, so no other site can prefill a
 * form that an admin then saves.
 */
export function signInKeepingForm(instance: Instance, request: FastifyRequest, reply: FastifyReply): void {
  const form = request.body instanceof URLSearchParams ? request.body : undefined;
  if (!form || request.headers["sec-fetch-site"] !== "same-origin" || safeNext(request.url) !== request.url) return redirectToSignIn(instance, request, reply);
  const kept: KeptForm = { to: request.url, form: new URLSearchParams([...form].filter(([name]) => !notKept.has(name))).toString() };
  renderSignIn(instance, request, reply, 200, { next: request.url, notice: requestTranslator(instance, request).t("signIn.sessionEndedKept"), kept });
}

function renderSignIn(instance: Instance, request: FastifyRequest, reply: FastifyReply, status: number, extra: { next: string; error?: string; userName?: string; notice?: string; kept?: KeptForm }): void {
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
  const keptTo = form.get("kept_to");
  const kept = keptTo !== null && safeNext(keptTo) === keptTo ? { to: keptTo, form: form.get("kept_form") ?? "" } : undefined;
  if (crossSiteRequest(request) || !loginCsrfValid(instance, request, form.get("csrf_token"))) {
    return renderSignIn(instance, request, reply, 403, { next, error: requestTranslator(instance, request).t("signIn.expired"), ...(kept ? { kept } : {}) });
  }
  const userName = form.get("user_name") ?? "";
  const login = await checkPasswordLogin(instance, userName, form.get("user_password") ?? "", request.ip);
  const session = login.ok ? await startSession(instance, reply, login.user) : undefined;
  if (!session) {
    const failure = login.ok ? invalidLogin : login;
    return renderSignIn(instance, request, reply, 401, { next, userName, error: loginFailureText(failure, requestTranslator(instance, request)), ...(kept ? { kept } : {}) });
  }
  if (!kept) return void reply.redirect(next, 303);
  // The form goes back with what was typed and `_action=restore`: its page shows it again, saving nothing.
  varyByLanguage(reply);
  const user = await findUserById(instance.store.db, session.userSysId);
  const fields = [...new URLSearchParams(kept.form)].filter(([name]) => !notKept.has(name));
  sendAdminHTML(reply, 200, resumeFormPage({ i18n: requestTranslator(instance, request, user?.preferredLanguage), csrfToken: session.csrfToken, to: kept.to, fields }));
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
