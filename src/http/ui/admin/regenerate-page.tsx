import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { CsrfInput, PageHeader } from "./components.tsx";

export function regenerateSecretPage(props: { viewer: Viewer; client: OAuthClient }): string {
  const { client } = props;
  return renderPage(
    <AdminShell title={`Regenerate secret · ${client.name}`} active="registry" viewer={props.viewer}>
      <PageHeader
        title="Regenerate the client secret?"
        crumbs={[
          { href: adminPaths.registry, label: "Application Registry" },
          { href: adminPaths.registryRecord(client.sysId), label: client.name },
        ]}
      />
      <div class="alert alert-warn" role="alert">
        The current secret of <strong>{client.name}</strong> stops working at once. Every system that uses it must be given the new one, which is shown only once.
      </div>
      <form method="post" action={adminPaths.registryRegenerate(client.sysId)} class="form-actions">
        <CsrfInput token={props.viewer.csrfToken} />
        <button type="submit" class="btn btn-danger">
          Regenerate secret
        </button>
        <a class="btn btn-quiet" href={adminPaths.registryRecord(client.sysId)}>
          Cancel
        </a>
      </form>
    </AdminShell>,
  );
}
