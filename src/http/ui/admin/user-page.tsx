import type { AuditListing } from "../../../store/audit-listing.ts";
import type { UserListing } from "../../../store/user-admin-store.ts";
import { adminPaths, auditOf } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AuditTable } from "./audit-table.tsx";
import { AdminFormFields, ErrorSummary, FieldError, type FieldErrors, Flash, PageHeader, YesNo } from "./components.tsx";
import { TextField } from "./form-fields.tsx";
import { LanguagePreferenceForm } from "./language-preference.tsx";
import { userFieldLabels } from "./users-page.tsx";
import { namePartOrder } from "../../../i18n/locale.ts";

export function userPage(props: { viewer: Viewer; user: UserListing; roleNames: string[]; errors: FieldErrors; flash?: string | undefined; history: AuditListing[]; typedRole: string }): string {
  const { user } = props;
  const grantable = props.roleNames.filter((r) => !user.roles.includes(r));
  const { t } = props.viewer.i18n;
  const labels = userFieldLabels(props.viewer.i18n);
  const namePart = { first_name: user.firstName, last_name: user.lastName };
  return renderPage(
    <AdminShell title={t("users.pageTitle", { name: user.userName })} active="users" viewer={props.viewer}>
      <PageHeader title={user.userName} crumbs={[{ href: adminPaths.users, label: t("users.title") }]}>
        <a class="btn btn-quiet" href={auditOf("sys_user", user.sysId)}>
          {t("registry.history")}
        </a>
      </PageHeader>
      <Flash message={props.flash} />
      <ErrorSummary errors={props.errors} labels={labels} />
      <dl class="facts">
        <dt>{labels.name}</dt>
        <dd>{user.name || "—"}</dd>
        {namePartOrder(props.viewer.i18n.locale).map((field) => (
          <>
            <dt>{labels[field]}</dt>
            <dd>{namePart[field] || "—"}</dd>
          </>
        ))}
        <dt>{labels.email}</dt>
        <dd>{user.email || "—"}</dd>
        <dt>{labels.active}</dt>
        <dd>
          <YesNo value={user.active} />
        </dd>
        <dt>{labels.password}</dt>
        <dd>{t(user.hasPassword ? "user.passwordSet" : "user.passwordNotSet")}</dd>
      </dl>
      <div class="panels">
        <section class="panel" aria-labelledby="roles-heading">
          <h2 id="roles-heading">{labels.roles}</h2>
          {user.roles.length === 0 ? <p class="empty">{t("user.noRoles")}</p> : null}
          <ul class="role-list" id="roles" tabindex={-1} aria-describedby={props.errors.roles ? "roles-error" : undefined}>
            {user.roles.map((role) => (
              <li>
                <code>{role}</code>
                <form method="post" action={adminPaths.userRoles(user.sysId)}>
                  <AdminFormFields viewer={props.viewer} />
                  <input type="hidden" name="role" value={role} />
                  <button type="submit" name="_action" value="remove" class="btn btn-small btn-danger-quiet" aria-label={t("user.removeRole", { role })}>
                    {t("user.remove")}
                  </button>
                </form>
              </li>
            ))}
          </ul>
          <FieldError id="roles" messages={props.errors.roles} />
          <form method="post" action={adminPaths.userRoles(user.sysId)} class="inline-form">
            <AdminFormFields viewer={props.viewer} />
            <label for="role">{t("user.grantRole")}</label>
            <input type="text" id="role" name="role" value={props.typedRole} list="known-roles" autocomplete="off" aria-invalid={props.errors.role ? "true" : undefined} aria-describedby={props.errors.role ? "role-error" : undefined} />
            <datalist id="known-roles">
              {grantable.map((r) => (
                <option value={r} />
              ))}
            </datalist>
            <button type="submit" name="_action" value="grant" class="btn">
              {t("user.grant")}
            </button>
            <FieldError id="role" messages={props.errors.role} />
          </form>
        </section>
        <section class="panel" aria-labelledby="password-heading">
          <h2 id="password-heading">{t("user.setPassword")}</h2>
          <form method="post" action={adminPaths.userPassword(user.sysId)} novalidate>
            <AdminFormFields viewer={props.viewer} />
            <TextField id="password" label={labels.password!} type="password" value="" errors={props.errors} autocomplete="new-password" hint={t("user.setPasswordHint")} />
            <button type="submit" class="btn">
              {t("user.setPassword")}
            </button>
          </form>
        </section>
        <section class="panel" aria-labelledby="active-heading">
          <h2 id="active-heading">{t(user.active ? "user.deactivate" : "user.activate")}</h2>
          <p class="muted">{t(user.active ? "user.deactivateText" : "user.activateText")}</p>
          {user.active ? (
            // A link to the confirmation: one press must not end the user's sessions and revoke their tokens.
            <>
              <a class="btn btn-danger" id="active" href={adminPaths.userDeactivate(user.sysId)}>
                {t("user.deactivateUser")}
              </a>
              <FieldError id="active" messages={props.errors.active} />
            </>
          ) : (
            <form method="post" action={adminPaths.userActive(user.sysId)}>
              <AdminFormFields viewer={props.viewer} />
              <input type="hidden" name="active" value="true" />
              <button type="submit" class="btn">
                {t("user.activateUser")}
              </button>
              <FieldError id="active" messages={props.errors.active} />
            </form>
          )}
        </section>
      </div>
      <section class="panel">
        <LanguagePreferenceForm action={adminPaths.userLanguage(user.sysId)} viewer={props.viewer} current={user.preferredLanguage} />
      </section>
      <section class="history" aria-labelledby="history-heading">
        <h2 id="history-heading">{t("registry.history")}</h2>
        <AuditTable rows={props.history} showRecord={false} />
      </section>
    </AdminShell>,
  );
}
