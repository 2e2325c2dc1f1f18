import type { RoleListing } from "../../../store/user-admin-store.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { PageHeader } from "./components.tsx";

export function rolesPage(props: { viewer: Viewer; roles: RoleListing[] }): string {
  return renderPage(
    <AdminShell title="Roles" active="roles" viewer={props.viewer}>
      <PageHeader title="Roles" />
      <p class="muted">Roles are granted on a user's page; a role that does not exist yet is created when first granted. Tokens carry no roles: they are read when a token is used.</p>
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Users</th>
            </tr>
          </thead>
          <tbody>
            {props.roles.map((r) => (
              <tr>
                <td>
                  <code>{r.name}</code>
                </td>
                <td>{r.description}</td>
                <td class="wrap">{r.users.length ? r.users.join(", ") : <span class="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminShell>,
  );
}
