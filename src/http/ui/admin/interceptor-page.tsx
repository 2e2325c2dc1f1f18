import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { RichText } from "../rich-text.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";

/** Commands and paths are the same in every language, so they are not in the catalogs. */
const otherWays = { cli: "npx portcullis provider create", pipeline: "npx portcullis pipeline up", api: "POST /api/portcullis/registry/providers" };

/** The platform's "What kind of OAuth application?" choice that precedes the form. */
export function interceptorPage(props: { viewer: Viewer }): string {
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("interceptor.pageTitle")} active="registry" viewer={props.viewer}>
      <PageHeader title={t("interceptor.title")} crumbs={[{ href: adminPaths.registry, label: t("registry.title") }]} />
      <ul class="choices">
        <li>
          <a class="choice" href={adminPaths.registryNewClient}>
            <strong>{t("interceptor.endpoint")}</strong>
            <span>{t("interceptor.endpointText")}</span>
          </a>
        </li>
        <li>
          <a class="choice" href={adminPaths.registryNewProvider}>
            <strong>{t("interceptor.provider")}</strong>
            <span>
              <RichText
                format={(values) => t("interceptor.providerText", values)}
                elements={{ create: <code>{otherWays.cli}</code>, pipeline: <code>{otherWays.pipeline}</code>, api: <code>{otherWays.api}</code> }}
              />
            </span>
          </a>
        </li>
      </ul>
    </AdminShell>,
  );
}
