import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";

/** The platform's "What kind of OAuth application?" choice that precedes the form. */
export function interceptorPage(props: { viewer: Viewer }): string {
  return renderPage(
    <AdminShell title="New · Application Registry" active="registry" viewer={props.viewer}>
      <PageHeader title="What kind of OAuth application?" crumbs={[{ href: adminPaths.registry, label: "Application Registry" }]} />
      <ul class="choices">
        <li>
          <a class="choice" href={adminPaths.registryNewClient}>
            <strong>Create an OAuth API endpoint for external clients</strong>
            <span>This instance issues client credentials and tokens to an application outside it (another instance, a script, an integration).</span>
          </a>
        </li>
        <li>
          <div class="choice choice-disabled" aria-disabled="true">
            <strong>Connect to a third-party OAuth Provider</strong>
            <span>This instance obtains tokens from another OAuth provider. Coming soon: it arrives with the pipeline features.</span>
            <span class="pill pill-no">Coming soon</span>
          </div>
        </li>
      </ul>
    </AdminShell>,
  );
}
