import type { UserListing } from "../../../store/user-admin-store.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { CsrfInput, ErrorSummary, type FieldErrors, Flash, PageHeader, YesNo } from "./components.tsx";
import { TextField } from "./form-fields.tsx";

export const userFieldLabels: Record<string, string> = { user_name: "User name", name: "Name", email: "Email", password: "Password", roles: "Roles", role: "Role", active: "Active" };

export interface NewUserForm {
  user_name: string;
  name: string;
  email: string;
  roles: string;
}



export function usersPage(props: { viewer: Viewer; users: UserListing[]; form: NewUserForm; errors: FieldErrors; flash?: string | undefined }): string {
  return renderPage(
    <AdminShell title="Users" active="users" viewer={props.viewer}>
      <PageHeader title="Users" />
      <Flash message={props.flash} />
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Name</th>
              <th scope="col">Roles</th>
              <th scope="col">Active</th>
              <th scope="col">Locked out</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr>
                <td>
                  <a href={adminPaths.user(u.sysId)}>{u.userName}</a>
                </td>
                <td>{u.name}</td>
                <td>{u.roles.join(", ")}</td>
                <td>
                  <YesNo value={u.active} />
                </td>
                <td>{u.lockedUntil !== null && u.lockedUntil > Date.now() ? "yes" : ""}</td>
                <td class="nowrap">{u.updatedOn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="panel" aria-labelledby="new-user">
        <h2 id="new-user">New user</h2>
        <ErrorSummary errors={props.errors} labels={userFieldLabels} />
        <form method="post" action={adminPaths.users} novalidate class="form-grid">
          <CsrfInput token={props.viewer.csrfToken} />
          <div class="form-col">
            <TextField id="user_name" label={userFieldLabels.user_name!} value={props.form.user_name} errors={props.errors} autocomplete="off" mandatory hint="Letters, digits, and . _ @ -" />
            <TextField id="name" label={userFieldLabels.name!} value={props.form.name} errors={props.errors} autocomplete="off" />
            <TextField id="email" label={userFieldLabels.email!} type="email" value={props.form.email} errors={props.errors} autocomplete="off" />
          </div>
          <div class="form-col">
            <TextField id="password" label={userFieldLabels.password!} type="password" value="" errors={props.errors} autocomplete="new-password" mandatory hint="At least 8 characters." />
            <TextField id="roles" label={userFieldLabels.roles!} value={props.form.roles} errors={props.errors} autocomplete="off" hint="Comma-separated, for example: admin" />
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">
                Create user
              </button>
            </div>
          </div>
        </form>
      </section>
    </AdminShell>,
  );
}
