import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { Flash, PageHeader } from "./components.tsx";
import { LanguagePreferenceForm } from "./language-preference.tsx";

/** The signed-in user's own settings. */
export function profilePage(props: { viewer: Viewer; preferredLanguage: string | null; flash?: string | undefined }): string {
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("profile.title")} active="home" viewer={props.viewer}>
      <PageHeader title={t("profile.title")} />
      <Flash message={props.flash} />
      <section class="panel">
        <LanguagePreferenceForm action={adminPaths.profile} viewer={props.viewer} current={props.preferredLanguage} />
      </section>
    </AdminShell>,
  );
}
