import type { Translator } from "../../i18n/translator.ts";
import { Page, renderPage } from "./layout.tsx";

/** Shown after /oauth_redirect.do stored a provider's token. */
export function connectedPage(props: { i18n: Translator; providerName: string; scope: string; providerHref: string }): string {
  const { t } = props.i18n;
  return renderPage(
    <Page title={t("connection.connectedTitle")} i18n={props.i18n}>
      <h1>{t("connection.connectedHeading", { provider: props.providerName })}</h1>
      <p>{props.scope ? t("connection.storedWithScope", { scope: props.scope }) : t("connection.stored")}</p>
      <p>
        <a href={props.providerHref}>{t("connection.backToProvider", { provider: props.providerName })}</a>
      </p>
    </Page>,
  );
}
