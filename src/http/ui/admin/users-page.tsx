import type { UserListing } from "../../../store/user-admin-store.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { CsrfInput, describedBy, ErrorSummary, FieldError, type FieldErrors, Flash, PageHeader, YesNo } from "./components.tsx";

export const userFieldLabels: Record<string, string> = { user_name: "User name", name: "Name", email: "Email", password: "Password", roles: "Roles", role: "Role", active: "Active" };

export interface NewUserForm {
  user_name: string;
  name: string;
  email: string;
  roles: string;
}

function Text(props: { id: string; value: string; errors: FieldErrors; type?: "text" | "password" | "email"; autocomplete?: string; hint?: string; mandatory?: boolean }) {
  const attrs = {
    id: props.id,
    name: props.id,
    value: props.value,
    autocomplete: props.autocomplete,
    "aria-required": props.mandatory ? ("true" as const) : undefined,
    "aria-invalid": props.errors[props.id] ? ("true" as const) : undefined,
    "aria-describedby": describedBy(props.id, props.errors, props.id, !!props.hint),
  };
  return (
    <div class="field">
      <label for={props.id}>
        {props.mandatory ? (
          <span class="mandatory" aria-hidden="true">
            *
          </span>
        ) : null}
        {userFieldLabels[props.id]}
      </label>
      {props.type === "password" ? <input type="password" {...attrs} /> : props.type === "email" ? <input type="email" {...attrs} /> : <input type="text" {...attrs} />}
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldError id={props.id} messages={props.errors[props.id]} />
    </div>
  );
}

export { Text as UserTextField };

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
            <Text id="user_name" value={props.form.user_name} errors={props.errors} autocomplete="off" mandatory hint="Letters, digits, and . _ @ -" />
            <Text id="name" value={props.form.name} errors={props.errors} autocomplete="off" />
            <Text id="email" type="email" value={props.form.email} errors={props.errors} autocomplete="off" />
          </div>
          <div class="form-col">
            <Text id="password" type="password" value="" errors={props.errors} autocomplete="new-password" mandatory hint="At least 8 characters." />
            <Text id="roles" value={props.form.roles} errors={props.errors} autocomplete="off" hint="Comma-separated, for example: admin" />
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
