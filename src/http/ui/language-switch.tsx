import { locales } from "../../i18n/locale.ts";
import type { Translator } from "../../i18n/translator.ts";
import { adminPaths } from "../admin/admin-paths.ts";

/**
 * A plain form, so it works without JavaScript: signed in, the choice is saved on the user;
 * otherwise it goes in a cookie. Each language is named in itself, so anyone can find theirs.
 */
export function LanguageSwitch(props: { i18n: Translator; next: string; csrfToken?: string | undefined }) {
  const { t, locale } = props.i18n;
  return (
    <form method="post" action={adminPaths.language} class="language-switch">
      {props.csrfToken ? <input type="hidden" name="csrf_token" value={props.csrfToken} /> : null}
      <input type="hidden" name="next" value={props.next} />
      <label for="language-select" class="visually-hidden">
        {t("language.label")}
      </label>
      <select id="language-select" name="lang">
        {locales.map((code) => (
          <option value={code} selected={code === locale} lang={code}>
            {t(`language.${code}`)}
          </option>
        ))}
      </select>
      <button type="submit" class="btn btn-small btn-quiet">
        {t("language.apply")}
      </button>
    </form>
  );
}
