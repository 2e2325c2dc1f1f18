import { locales } from "../../../i18n/locale.ts";
import { useI18n } from "../i18n-context.tsx";
import { AdminFormFields } from "./components.tsx";

/** sys_user.preferred_language as a form: a language, or none (the browser's, else the instance default). */
export function LanguagePreferenceForm(props: { action: string; viewer: { csrfToken: string; path: string }; current: string | null }) {
  const { t } = useI18n();
  return (
    <form method="post" action={props.action} class="inline-form">
      <AdminFormFields viewer={props.viewer} />
      <label for="preferred_language">{t("profile.preferredLanguage")}</label>
      <select id="preferred_language" name="preferred_language">
        <option value="" selected={props.current === null}>
          {t("language.default")}
        </option>
        {locales.map((code) => (
          <option value={code} lang={code} selected={props.current === code}>
            {t(`language.${code}`)}
          </option>
        ))}
      </select>
      <button type="submit" class="btn">
        {t("profile.save")}
      </button>
    </form>
  );
}
