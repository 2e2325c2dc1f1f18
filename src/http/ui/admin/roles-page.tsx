import type { RoleListing } from "../../../store/user-admin-store.ts";
import { adminRoleDescription } from "../../../store/user-store.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";

export function rolesPage(props: { viewer: Viewer; roles: RoleListing[] }): string {
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("roles.title")} active="roles" viewer={props.viewer}>
      <PageHeader title={t("roles.title")} />
      <p class="muted">{t("roles.lead")}</p>
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t("field.name")}</th>
              <th scope="col">{t("roles.description")}</th>
              <th scope="col">{t("roles.users")}</th>
            </tr>
          </thead>
          <tbody>
            {props.roles.map((r) => (
              <tr>
                <td>
                  <code>{r.name}</code>
                </td>
                {/* The description the instance wrote itself reads in the page's language; one an admin changed shows as stored. */}
                <td>{r.name === "admin" && r.description === adminRoleDescription ? t("roles.adminDescription") : r.description}</td>
                <td class="wrap">{r.users.length ? r.users.join(", ") : <span class="muted">{t("roles.none")}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminShell>,
  );
}
