import type { FastifyReply, FastifyRequest } from "fastify";
import { requestTranslator } from "../i18n/request-locale.ts";
import type { Instance } from "../../instance.ts";
import { writeAudit } from "../../store/audit-store.ts";
import { createAuthCode } from "../../store/auth-code-store.ts";
import { sessionStillOpen } from "../../store/session-store.ts";
import { findUserById } from "../../store/user-store.ts";
import { crossSiteRequest, currentSession, loginCsrfToken, loginCsrfValid, sessionCsrfValid, startSession } from "../identity/login-session.ts";
import { checkPasswordLogin, invalidLogin, loginFailureText } from "../identity/password-login.ts";
import { paths } from "../paths.ts";
import { consentPage, errorPage, loginPage } from "../ui/authorize-pages.tsx";
import {
  type AuthorizationRequest,
  AuthorizationPageError,
  AuthorizationRedirectError,
  redirectLocation,
  validateAuthorizationRequest,
} from "./authorization-request.ts";
import { OAuthError } from "./oauth-error.ts";
import { rawQuery } from "../query-string.ts";
import { loginPageCSP } from "../page-csp.ts";

function sendPage(reply: FastifyReply, status: number, html: string): void {
  reply.header("cache-control", "no-store");
  reply.code(status).header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
}

/** The login page, whose forms may send the browser here and to the client's redirect URI only (page-csp.ts says why consent's may not). */
function sendLoginPage(reply: FastifyReply, status: number, html: string, authz: AuthorizationRequest): void {
  reply.header("content-security-policy", loginPageCSP(authz.redirectUri));
  sendPage(reply, status, html);
}

/** Runs a step of the authorization flow and turns its failures into a page or a redirect, as RFC 6749 §4.1.2.1 says. */
async function handled(instance: Instance, request: FastifyRequest, reply: FastifyReply, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof AuthorizationPageError) {
      const i18n = requestTranslator(instance, request);
      return sendPage(reply, 400, errorPage({ i18n, title: i18n.t("authorizeError.title"), message: i18n.t(error.key, error.values) }));
    }
    if (error instanceof AuthorizationRedirectError) {
      reply.header("cache-control", "no-store").redirect(redirectLocation(error.redirectUri, instance.config.publicUrl, { ...error.error.toJSON(), state: error.state }), 303);
      return;
    }
    throw error;
  }
}

/**
 * Where the language switch comes back to: a GET's own query, every parameter of it; after a
 * POST (a refused login), the request's parameters the form carried.
 */
function pagePath(request: FastifyRequest, authz: AuthorizationRequest): string {
  const query = request.method === "GET" ? rawQuery(request.url) : new URLSearchParams(authz.params as Record<string, string>).toString();
  return `${paths.authorize}?${query}`;
}

async function showLoginOrConsent(instance: Instance, request: FastifyRequest, reply: FastifyReply, authz: AuthorizationRequest, loginError?: { message: string; userName: string }) {
  const session = await currentSession(instance, request);
  const user = session && (await findUserById(instance.store.db, session.userSysId));
  const page = { clientName: authz.client.name, params: authz.params, here: pagePath(request, authz) };
  if (!session || !user?.active) {
    const csrfToken = loginCsrfToken(instance, request, reply);
    const html = loginPage({ ...page, i18n: requestTranslator(instance, request), csrfToken, ...(loginError ? { error: loginError.message, userName: loginError.userName } : {}) });
    return sendLoginPage(reply, loginError ? 401 : 200, html, authz);
  }
  const redirectHost = new URL(authz.redirectUri).host || authz.redirectUri;
  return sendPage(reply, 200, consentPage({ ...page, i18n: requestTranslator(instance, request, user.preferredLanguage), userName: user.userName, scope: authz.scope, redirectHost, csrfToken: session.csrfToken }));
}

/** GET /oauth_auth.do — validate the request, then log in or ask for consent. */
export async function authorizeGet(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const query = new URLSearchParams(rawQuery(request.url));
  await handled(instance, request, reply, async () => {
    const authz = await validateAuthorizationRequest(instance, query);
    await showLoginOrConsent(instance, request, reply, authz);
  });
}

/** POST /oauth_auth.do — the login form (action=login) and the consent form (action=allow|deny). */
export async function authorizePost(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const i18n = requestTranslator(instance, request);
  const { t } = i18n;
  if (!(request.body instanceof URLSearchParams)) return sendPage(reply, 400, errorPage({ i18n, title: t("authorizeError.invalidFormTitle"), message: t("authorizeError.invalidForm") }));
  const form = request.body;
  if (crossSiteRequest(request)) return sendPage(reply, 403, errorPage({ i18n, title: t("refused.title"), message: t("authorizeError.crossSite") }));

  await handled(instance, request, reply, async () => {
    const authz = await validateAuthorizationRequest(instance, form);
    const action = form.get("action");
    if (action === "login") {
      if (!loginCsrfValid(instance, request, form.get("csrf_token"))) {
        return sendPage(reply, 403, errorPage({ i18n, title: t("refused.title"), message: t("authorizeError.loginExpired") }));
      }
      const userName = form.get("user_name") ?? "";
      const login = await checkPasswordLogin(instance, userName, form.get("user_password") ?? "", request.ip);
      const session = login.ok ? await startSession(instance, reply, login.user) : undefined;
      if (!session) return showLoginOrConsent(instance, request, reply, authz, { message: loginFailureText(login.ok ? invalidLogin : login, i18n), userName });
      // Back to the consent step as a GET, so a reload does not resubmit the password.
      reply.redirect(`${paths.authorize}?${new URLSearchParams(authz.params as Record<string, string>).toString()}`, 303);
      return;
    }

    const session = await currentSession(instance, request);
    if (!session) return showLoginOrConsent(instance, request, reply, authz);
    if (!sessionCsrfValid(session, form.get("csrf_token"))) {
      return sendPage(reply, 403, errorPage({ i18n, title: t("refused.title"), message: t("authorizeError.consentExpired") }));
    }
    const issuer = instance.config.publicUrl;
    // The redirect carries a code or an error: never cached.
    reply.header("cache-control", "no-store");
    if (action === "deny") {
      reply.redirect(redirectLocation(authz.redirectUri, issuer, { error: "access_denied", error_description: "the user denied the request", state: authz.state }), 303);
      return;
    }
    if (action !== "allow") throw new AuthorizationRedirectError(authz.redirectUri, authz.state, new OAuthError("invalid_request", "the consent form had no decision"));
    const code = await instance.store.db.transaction().execute(async (trx) => {
      // A new password or a deactivation committed since the session was read has ended it and
      // deleted the user's unexchanged codes (user-access.ts): a code written now would outlive them.
      if (!(await sessionStillOpen(trx, session.sysId))) return undefined;
      const created = await createAuthCode(trx, {
        clientSysId: authz.client.sysId,
        userSysId: session.userSysId,
        redirectUri: authz.redirectUri,
        scope: authz.scope,
        codeChallenge: authz.codeChallenge,
        lifespanSeconds: instance.config.authorizationCodeLifespan,
      });
      const user = await findUserById(trx, session.userSysId);
      await writeAudit(trx, [{ tablename: "oauth_entity", documentkey: authz.client.sysId, fieldname: "consent", newvalue: `allowed ${authz.scope}`, user: user?.userName ?? session.userSysId }]);
      return created;
    });
    if (code === undefined) return showLoginOrConsent(instance, request, reply, authz);
    reply.redirect(redirectLocation(authz.redirectUri, issuer, { code, state: authz.state }), 303);
  });
}

