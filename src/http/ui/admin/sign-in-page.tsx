import { adminPaths } from "../../admin/admin-paths.ts";
import type { Translator } from "../../../i18n/translator.ts";
import { LanguageSwitch } from "../language-switch.tsx";
import { renderPage } from "../layout.tsx";
import { RichText } from "../rich-text.tsx";
import { AdminDocument, AdminShell, type Viewer } from "./admin-layout.tsx";

export function signInPage(props: { i18n: Translator; csrfToken: string; issuer: string; metadataUrl: string; next: string; error?: string; userName?: string; notice?: string; kept?: { to: string; form: string } }): string {
  const { t } = props.i18n;
  return renderPage(
    <AdminDocument title={t("signIn.title")} i18n={props.i18n}>
      <main class="signin" id="content">
        <div class="signin-card">
          <p class="brand">
            <span class="brand-mark" aria-hidden="true">
              ▦
            </span>{" "}
            {t("app.name")}
          </p>
          <LanguageSwitch i18n={props.i18n} csrfToken={props.csrfToken} next={`${adminPaths.signIn}?${new URLSearchParams({ next: props.next })}`} />
          <h1>{t("signIn.title")}</h1>
          <p class="muted">{t("signIn.lead")}</p>
          {props.notice ? (
            <div class="alert alert-ok" role="status">
              {props.notice}
            </div>
          ) : null}
          {props.error ? (
            <div class="alert alert-error" role="alert">
              {props.error}
            </div>
          ) : null}
          <form method="post" action={adminPaths.login}>
            <input type="hidden" name="csrf_token" value={props.csrfToken} />
            <input type="hidden" name="next" value={props.next} />
            {props.kept ? (
              <>
                <input type="hidden" name="kept_to" value={props.kept.to} />
                <input type="hidden" name="kept_form" value={props.kept.form} />
              </>
            ) : null}
            <label for="user_name">{t("signIn.userName")}</label>
            <input type="text" id="user_name" name="user_name" autocomplete="username" required value={props.userName ?? ""} autofocus />
            <label for="user_password">{t("signIn.password")}</label>
            <input type="password" id="user_password" name="user_password" autocomplete="current-password" required />
            <button type="submit" class="btn btn-primary btn-block">
              {t("signIn.submit")}
            </button>
          </form>
          <dl class="instance-facts">
            <dt>{t("signIn.issuer")}</dt>
            <dd>
              <code>{props.issuer}</code>
            </dd>
            <dt>{t("signIn.metadata")}</dt>
            <dd>
              <a href={props.metadataUrl}>{props.metadataUrl}</a>
            </dd>
          </dl>
        </div>
      </main>
    </AdminDocument>,
  );
}

/**
 * Signed in again after a form's session ended: the form's fields go back to it, unsaved, with
 * `_action=restore`. admin.js sends it at once; without JavaScript it is one press.
 */
export function resumeFormPage(props: { i18n: Translator; csrfToken: string; to: string; fields: [string, string][] }): string {
  const { t } = props.i18n;
  return renderPage(
    <AdminDocument title={t("resume.title")} i18n={props.i18n}>
      <main class="signin" id="content">
        <div class="signin-card">
          <h1>{t("resume.title")}</h1>
          <p>{t("resume.text")}</p>
          <form method="post" action={props.to} data-resume="">
            <input type="hidden" name="csrf_token" value={props.csrfToken} />
            <input type="hidden" name="_action" value="restore" />
            {props.fields.map(([name, value]) => (
              <input type="hidden" name={name} value={value} />
            ))}
            <button type="submit" class="btn btn-primary btn-block">
              {t("resume.submit")}
            </button>
          </form>
        </div>
      </main>
    </AdminDocument>,
  );
}

/** Signed in, but without the admin role: say so plainly rather than pretend the page is missing. */
export function forbiddenPage(props: { viewer: Viewer }): string {
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("forbidden.title")} active="home" viewer={props.viewer} navigator={false}>
      <h1>{t("forbidden.heading")}</h1>
      <div class="alert alert-error" role="alert">
        <RichText format={(v) => t("forbidden.body", v)} elements={{ role: <code>admin</code>, user: <strong>{props.viewer.userName}</strong> }} />
      </div>
    </AdminShell>,
  );
}

export function adminErrorPage(props: { viewer: Viewer; title: string; message: string }): string {
  return renderPage(
    <AdminShell title={props.title} active="home" viewer={props.viewer}>
      <h1>{props.title}</h1>
      <div class="alert alert-error" role="alert">
        {props.message}
      </div>
    </AdminShell>,
  );
}
