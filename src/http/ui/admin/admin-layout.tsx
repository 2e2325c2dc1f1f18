import type { ComponentChildren } from "preact";
import { adminPaths } from "../../admin/admin-paths.ts";
import { paths } from "../../paths.ts";
import type { MessageKey, Translator } from "../../../i18n/translator.ts";
import { I18nContext } from "../i18n-context.tsx";
import { LanguageSwitch } from "../language-switch.tsx";
import { CsrfInput } from "./components.tsx";

/** The navigator's modules, grouped as the platform's application menus. */
const navigator: { heading: MessageKey; items: { label: MessageKey; href: string; key: NavKey }[] }[] = [
  {
    heading: "nav.systemOAuth",
    items: [
      { label: "nav.registry", href: adminPaths.registry, key: "registry" },
      { label: "nav.tokens", href: adminPaths.tokens, key: "tokens" },
    ],
  },
  {
    heading: "nav.userAdministration",
    items: [
      { label: "nav.users", href: adminPaths.users, key: "users" },
      { label: "nav.roles", href: adminPaths.roles, key: "roles" },
    ],
  },
  { heading: "nav.systemLogs", items: [{ label: "nav.audit", href: adminPaths.audit, key: "audit" }] },
  { heading: "nav.pipelineGroup", items: [{ label: "nav.pipeline", href: adminPaths.pipeline, key: "pipeline" }] },
];

export type NavKey = "home" | "registry" | "tokens" | "users" | "roles" | "audit" | "pipeline";

export interface Viewer {
  userName: string;
  csrfToken: string;
  /** The page's language, chosen per request (see request-locale.ts). */
  i18n: Translator;
  /** Where the language switch returns to. */
  path: string;
}

/** The document every admin page shares: stylesheet and script from 'self', nothing inline. */
export function AdminDocument(props: { title: string; i18n: Translator; children: ComponentChildren }) {
  return (
    <html lang={props.i18n.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.i18n.t("shell.titleSuffix", { title: props.title })}</title>
        <link rel="stylesheet" href={adminPaths.stylesheet} />
        {/* No favicon request: the instance serves none. */}
        <link rel="icon" href="data:," />
        <script src={adminPaths.script} defer></script>
      </head>
      <body>
        <I18nContext.Provider value={props.i18n}>{props.children}</I18nContext.Provider>
      </body>
    </html>
  );
}

/** `navigator: false` for a signed-in user who is not an admin: every link there would be refused. */
export function AdminShell(props: { title: string; active: NavKey; viewer: Viewer; navigator?: boolean; children: ComponentChildren }) {
  const { t } = props.viewer.i18n;
  return (
    <AdminDocument title={props.title} i18n={props.viewer.i18n}>
      <a class="skip" href="#content">
        {t("nav.skip")}
      </a>
      <header class="topbar">
        <a class="brand" href={adminPaths.home}>
          <span class="brand-mark" aria-hidden="true">
            ▦
          </span>{" "}
          {t("app.name")}
        </a>
        <div class="topbar-tools">
          <LanguageSwitch i18n={props.viewer.i18n} next={props.viewer.path} csrfToken={props.viewer.csrfToken} />
          <form method="post" action={paths.logout} class="signout">
            <span class="who">
              {t("shell.signedInAs")} <a href={adminPaths.profile}><strong>{props.viewer.userName}</strong></a>
            </span>
            <CsrfInput token={props.viewer.csrfToken} />
            <button type="submit" class="btn btn-quiet">
              {t("shell.signOut")}
            </button>
          </form>
        </div>
      </header>
      <div class="frame">
        {props.navigator === false ? null : (
        <nav class="navigator" aria-label={t("nav.label")}>
          {navigator.map((group) => (
            <section>
              <h2>{t(group.heading)}</h2>
              <ul>
                {group.items.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.key === props.active ? "page" : undefined}>
                      {t(item.label)}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </nav>
        )}
        <main id="content" tabindex={-1}>
          {props.children}
        </main>
      </div>
    </AdminDocument>
  );
}
