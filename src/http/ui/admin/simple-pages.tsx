import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";

export function adminHomePage(props: { viewer: Viewer; counts: { clients: number; providers: number; liveTokens: number; users: number } }): string {
  const { t } = props.viewer.i18n;
  const cards = [
    { href: adminPaths.registry, title: t("nav.registry"), text: t("home.registryText", { count: props.counts.clients, providers: props.counts.providers }) },
    { href: adminPaths.tokens, title: t("nav.tokens"), text: t("home.tokensText", { count: props.counts.liveTokens }) },
    { href: adminPaths.users, title: t("nav.users"), text: t("home.usersText", { count: props.counts.users }) },
    { href: adminPaths.audit, title: t("nav.audit"), text: t("home.auditText") },
  ];
  return renderPage(
    <AdminShell title={t("home.title")} active="home" viewer={props.viewer}>
      <PageHeader title={t("home.title")} />
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
