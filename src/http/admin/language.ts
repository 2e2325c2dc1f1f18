import type { FastifyReply, FastifyRequest } from "fastify";
import { toLocale } from "../../i18n/locale.ts";
import type { Instance } from "../../instance.ts";
import { findUserById, setPreferredLanguage } from "../../store/user-store.ts";
import { languageCookie } from "../i18n/request-locale.ts";
import { crossSiteRequest, currentSession, loginCsrfValid, sessionCsrfValid } from "../identity/login-session.ts";
import { requestTranslator } from "../i18n/request-locale.ts";
import { errorPage } from "../ui/authorize-pages.tsx";
import { paths } from "../paths.ts";
import { adminPaths } from "./admin-paths.ts";
import { adminReturnPath } from "./return-path.ts";

/**
 * Where the switch goes back to: an admin page, held to the rules sign-in's `next` is held to
 * (adminReturnPath), the sign-in page with such a `next`, or the OAuth login or consent page with
 * its authorization request. Anything else (another host, or a tab or control character a
 * browser drops, turning /\t/evil.example into //evil.example) goes to the sign-in page: the
 * switch must not become an open redirect.
 */
function safeReturn(value: string | null): string {
  const adminPage = adminReturnPath(value);
  if (adminPage) return adminPage;
  // The pending request's every parameter, written again by URLSearchParams: nothing but this path and a query, percent-encoded.
  const authorizePrefix = `${paths.authorize}?`;
  if (value?.startsWith(authorizePrefix)) return `${authorizePrefix}${new URLSearchParams(value.slice(authorizePrefix.length))}`;
  const signInPrefix = `${adminPaths.signIn}?`;
  if (value === null || !value.startsWith(signInPrefix)) return adminPaths.signIn;
  const next = adminReturnPath(new URLSearchParams(value.slice(signInPrefix.length)).get("next"));
  return next ? `${signInPrefix}${new URLSearchParams({ next })}` : adminPaths.signIn;
}

/**
 * POST /language — the language switch. Signed in, the choice becomes the user's
 * preferred_language; otherwise a cookie remembers it for this browser. Like every form it
 * carries a CSRF token (the session's, or the sign-in form's), so no other site can flip it.
 */
export async function languageSwitch(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
  const locale = toLocale(form.get("lang"));
  const back = safeReturn(form.get("next"));
  const session = await currentSession(instance, request);
  const user = session && (await findUserById(instance.store.db, session.userSysId));
  const signedIn = session !== undefined && user?.active === true;
  const tokenValid = signedIn ? sessionCsrfValid(session, form.get("csrf_token")) : loginCsrfValid(instance, request, form.get("csrf_token"));
  if (crossSiteRequest(request) || !tokenValid) {
    const i18n = requestTranslator(instance, request, user?.preferredLanguage);
    reply.code(403).header("cache-control", "no-store").type("text/html; charset=utf-8");
    return void reply.send(errorPage({ i18n, title: i18n.t("refused.title"), message: i18n.t("refused.body") }));
  }
  if (!locale) return void reply.redirect(back, 303);
  if (signedIn) await setPreferredLanguage(instance.store.db, user.sysId, locale);
  reply.setCookie(languageCookie, locale, { path: "/", sameSite: "lax", httpOnly: true, secure: instance.config.publicUrl.startsWith("https:"), maxAge: 365 * 24 * 3600 });
  reply.redirect(back, 303);
}
