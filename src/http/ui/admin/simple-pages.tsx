import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";

export function adminHomePage(props: { viewer: Viewer; counts: { clients: number; liveTokens: number; users: number } }): string {
  const cards = [
    { href: adminPaths.registry, title: "Application Registry", text: `${props.counts.clients} OAuth API ${props.counts.clients === 1 ? "endpoint" : "endpoints"} for external clients` },
    { href: adminPaths.tokens, title: "Manage Tokens", text: `${props.counts.liveTokens} live ${props.counts.liveTokens === 1 ? "token" : "tokens"}` },
    { href: adminPaths.users, title: "Users", text: `${props.counts.users} ${props.counts.users === 1 ? "user" : "users"}` },
    { href: adminPaths.audit, title: "Audit", text: "Who changed what, and when" },
  ];
  return renderPage(
    <AdminShell title="Overview" active="home" viewer={props.viewer}>
      <PageHeader title="Overview" />
      <ul class="cards">
        {cards.map((c) => (
          <li>
            <a class="card-link" href={c.href}>
              <strong>{c.title}</strong>
              <span>{c.text}</span>
            </a>
          </li>
        ))}
      </ul>
    </AdminShell>,
  );
}

export function pipelinePage(props: { viewer: Viewer }): string {
  return renderPage(
    <AdminShell title="Pipeline" active="pipeline" viewer={props.viewer}>
      <PageHeader title="Pipeline" />
      <div class="alert alert-info" role="status">
        Coming soon. Pipelines let a controller instance and its development and test instances trust each other through OAuth. Today, create each instance's OAuth API endpoint in
        the <a href={adminPaths.registry}>Application Registry</a>; the third-party provider records and the pipeline view arrive in a later release.
      </div>
    </AdminShell>,
  );
}
