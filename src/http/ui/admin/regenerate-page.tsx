import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { RichText } from "../rich-text.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { CsrfInput, PageHeader } from "./components.tsx";

export function regenerateSecretPage(props: { viewer: Viewer; client: OAuthClient }): string {
  const { client } = props;
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("regenerate.pageTitle", { name: client.name })} active="registry" viewer={props.viewer}>
      <PageHeader
        title={t("regenerate.title")}
        crumbs={[
          { href: adminPaths.registry, label: t("registry.title") },
          { href: adminPaths.registryRecord(client.sysId), label: client.name },
        ]}
      />
      <div class="alert alert-warn" role="alert">
        <RichText format={(v) => t("regenerate.warning", v)} elements={{ name: <strong>{client.name}</strong> }} />
      </div>
      <form method="post" action={adminPaths.registryRegenerate(client.sysId)} class="form-actions">
        <CsrfInput token={props.viewer.csrfToken} />
        <button type="submit" class="btn btn-danger">
          {t("regenerate.submit")}
        </button>
        <a class="btn btn-quiet" href={adminPaths.registryRecord(client.sysId)}>
          {t("common.cancel")}
        </a>
      </form>
    </AdminShell>,
  );
}
