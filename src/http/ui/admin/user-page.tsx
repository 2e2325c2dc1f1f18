import type { AuditListing } from "../../../store/audit-listing.ts";
import type { UserListing } from "../../../store/user-admin-store.ts";
import { adminPaths, auditOf } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AuditTable } from "./audit-table.tsx";
import { CsrfInput, ErrorSummary, FieldError, type FieldErrors, Flash, PageHeader, YesNo } from "./components.tsx";
import { TextField } from "./form-fields.tsx";
import { userFieldLabels } from "./users-page.tsx";

export function userPage(props: { viewer: Viewer; user: UserListing; roleNames: string[]; errors: FieldErrors; flash?: string | undefined; history: AuditListing[] }): string {
  const { user } = props;
  const grantable = props.roleNames.filter((r) => !user.roles.includes(r));
  return renderPage(
    <AdminShell title={`${user.userName} · Users`} active="users" viewer={props.viewer}>
      <PageHeader title={user.userName} crumbs={[{ href: adminPaths.users, label: "Users" }]}>
        <a class="btn btn-quiet" href={auditOf("sys_user", user.sysId)}>
          History
        </a>
      </PageHeader>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} labels={userFieldLabels} />
      <dl class="facts">
        <dt>Name</dt>
        <dd>{user.name || "—"}</dd>
        <dt>Email</dt>
        <dd>{user.email || "—"}</dd>
        <dt>Active</dt>
        <dd>
          <YesNo value={user.active} />
        </dd>
        <dt>Password</dt>
        <dd>{user.hasPassword ? "set" : "not set"}</dd>
      </dl>
      <div class="panels">
        <section class="panel" aria-labelledby="roles-heading">
          <h2 id="roles-heading">Roles</h2>
          {user.roles.length === 0 ? <p class="empty">No roles.</p> : null}
          <ul class="role-list">
            {user.roles.map((role) => (
              <li>
                <code>{role}</code>
                <form method="post" action={adminPaths.userRoles(user.sysId)}>
                  <CsrfInput token={props.viewer.csrfToken} />
                  <input type="hidden" name="role" value={role} />
                  <button type="submit" name="_action" value="remove" class="btn btn-small btn-danger-quiet" aria-label={`Remove role ${role}`}>
                    Remove
                  </button>
                </form>
              </li>
            ))}
          </ul>
          <form method="post" action={adminPaths.userRoles(user.sysId)} class="inline-form">
            <CsrfInput token={props.viewer.csrfToken} />
            <label for="role">Grant a role</label>
            <input type="text" id="role" name="role" list="known-roles" autocomplete="off" aria-invalid={props.errors.role ? "true" : undefined} aria-describedby={props.errors.role ? "role-error" : undefined} />
            <datalist id="known-roles">
              {grantable.map((r) => (
                <option value={r} />
              ))}
            </datalist>
            <button type="submit" name="_action" value="grant" class="btn">
              Grant
            </button>
            <FieldError id="role" messages={props.errors.role} />
          </form>
        </section>
        <section class="panel" aria-labelledby="password-heading">
          <h2 id="password-heading">Set password</h2>
          <form method="post" action={adminPaths.userPassword(user.sysId)} novalidate>
            <CsrfInput token={props.viewer.csrfToken} />
            <TextField id="password" label={userFieldLabels.password!} type="password" value="" errors={props.errors} autocomplete="new-password" hint="At least 8 characters. Also clears a lockout." />
            <button type="submit" class="btn">
              Set password
            </button>
          </form>
        </section>
        <section class="panel" aria-labelledby="active-heading">
          <h2 id="active-heading">{user.active ? "Deactivate" : "Activate"}</h2>
          <p class="muted">{user.active ? "A deactivated user cannot sign in; their sessions end and their tokens are revoked at once." : "The user can sign in again."}</p>
          <form method="post" action={adminPaths.userActive(user.sysId)}>
            <CsrfInput token={props.viewer.csrfToken} />
            <input type="hidden" name="active" value={user.active ? "false" : "true"} />
            <button type="submit" class={user.active ? "btn btn-danger" : "btn"}>
              {user.active ? "Deactivate user" : "Activate user"}
            </button>
          </form>
        </section>
      </div>
      <section class="history" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <AuditTable rows={props.history} showRecord={false} />
      </section>
    </AdminShell>,
  );
}
