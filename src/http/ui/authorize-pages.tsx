import type { Translator } from "../../i18n/translator.ts";
import { LanguageSwitch } from "./language-switch.tsx";
import { Carry, Page, renderPage } from "./layout.tsx";
import { RichText } from "./rich-text.tsx";

type Params = Record<string, string | undefined>;

/**
 * `here`: this page's path and query, the whole authorization request, which the language switch
 * comes back to; the switch is CSRF-checked with the form's own token, as on the admin sign-in page.
 */
interface AuthorizePageProps {
  i18n: Translator;
  clientName: string;
  params: Params;
  csrfToken: string;
  here: string;
}

export function loginPage(props: AuthorizePageProps & { error?: string; userName?: string }): string {
  const { t } = props.i18n;
  return renderPage(
    <Page title={t("authorize.loginTitle")} i18n={props.i18n}>
      <LanguageSwitch i18n={props.i18n} csrfToken={props.csrfToken} next={props.here} />
      <h1>{t("authorize.loginTitle")}</h1>
      <p class="sub">
        <RichText format={(v) => t("authorize.wantsAccess", v)} elements={{ client: <strong>{props.clientName}</strong> }} />
      </p>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/oauth_auth.do">
        <Carry params={props.params} />
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name="action" value="login" />
        <label for="user_name">{t("signIn.userName")}</label>
        <input type="text" id="user_name" name="user_name" autocomplete="username" required value={props.userName ?? ""} autofocus />
        <label for="user_password">{t("signIn.password")}</label>
        <input type="password" id="user_password" name="user_password" autocomplete="current-password" required />
        <div class="actions">
          <button type="submit" class="primary">
            {t("authorize.loginTitle")}
          </button>
        </div>
      </form>
    </Page>,
  );
}

export function consentPage(props: AuthorizePageProps & { userName: string; scope: string; redirectHost: string }): string {
  const { t } = props.i18n;
  return renderPage(
    <Page title={t("authorize.allowTitle")} i18n={props.i18n}>
      <LanguageSwitch i18n={props.i18n} csrfToken={props.csrfToken} next={props.here} />
      <h1>{t("authorize.allowQuestion")}</h1>
      <p class="sub">
        <RichText format={(v) => t("authorize.requesting", v)} elements={{ client: <strong>{props.clientName}</strong>, user: <strong>{props.userName}</strong> }} />
      </p>
      <p>{t("authorize.ableTo")}</p>
      <ul class="scopes">
        {props.scope.split(" ").map((s) => (
          <li>{s === "useraccount" ? t("authorize.useraccount") : s}</li>
        ))}
      </ul>
      <p class="sub">{t("authorize.sentBack", { host: props.redirectHost })}</p>
      <form method="post" action="/oauth_auth.do">
        <Carry params={props.params} />
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <div class="actions">
          <button type="submit" name="action" value="deny">
            {t("authorize.deny")}
          </button>
          <button type="submit" name="action" value="allow" class="primary">
            {t("authorize.allow")}
          </button>
        </div>
      </form>
    </Page>,
  );
}

/** `next`: where the reader can go from here, so the page is not a dead end. */
export function errorPage(props: { title: string; message: string; i18n?: Translator; next?: { href: string; label: string } }): string {
  return renderPage(
    <Page title={props.title} {...(props.i18n ? { i18n: props.i18n } : {})}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">
        {props.message}
      </p>
      {props.next ? (
        <p>
          <a href={props.next.href}>{props.next.label}</a>
        </p>
      ) : null}
    </Page>,
  );
}
