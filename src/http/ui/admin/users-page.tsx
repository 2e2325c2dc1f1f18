import type { UserPage, UserQuery, UserSortKey } from "../../../store/user-search.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AdminFormFields, ErrorSummary, type FieldErrors, Flash, PageHeader, YesNo } from "./components.tsx";
import { namePartOrder } from "../../../i18n/locale.ts";
import type { Translator } from "../../../i18n/translator.ts";
import { TextField } from "./form-fields.tsx";
import { ListFilter, NumberedPager, SortableHeading } from "./list-controls.tsx";

const namePartLabels = { first_name: "users.firstName", last_name: "users.lastName" } as const;

/** In the New user form's order, which the error summary follows; the name's parts in the order the reader's language writes them. */
export function userFieldLabels(i18n: Translator): Record<string, string> {
  const { t } = i18n;
  return {
    user_name: t("users.userName"),
    ...Object.fromEntries(namePartOrder(i18n.locale).map((field) => [field, t(namePartLabels[field])])),
    name: t("users.displayName"),
    email: t("users.email"),
    password: t("users.password"),
    roles: t("users.roles"),
    role: t("users.role"),
    active: t("field.active"),
  };
}

export interface NewUserForm {
  user_name: string;
  name: string;
  first_name: string;
  last_name: string;
  email: string;
  roles: string;
}

export function usersPage(props: { viewer: Viewer; found: UserPage; query: UserQuery; form: NewUserForm; errors: FieldErrors; flash?: string | undefined }): string {
  const { t } = props.viewer.i18n;
  const labels = userFieldLabels(props.viewer.i18n);
  const { query } = props;
  const { users, total } = props.found;
  const sortable = (key: UserSortKey, label: string) => <SortableHeading path={adminPaths.users} query={query} sortKey={key} label={label} />;
  return renderPage(
    <AdminShell title={t("users.title")} active="users" viewer={props.viewer}>
      {/* The form is under a page of up to a hundred users: the way to it is at the top, as the registry's New is. */}
      <PageHeader title={t("users.title")}>
        <a class="btn btn-primary" href="#new-user">
          {t("users.new")}
        </a>
      </PageHeader>
      <Flash message={props.flash} />
      <ListFilter path={adminPaths.users} query={query} label={t("users.filterLabel")} />
      <p class="count" role="status">
        {query.text ? t("users.countMatching", { count: total, text: query.text }) : t("users.count", { count: total })}
      </p>
      {users.length === 0 ? (
        <p class="empty">{t("users.noMatch")}</p>
      ) : (
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                {sortable("user_name", labels.user_name!)}
                {sortable("name", labels.name!)}
                <th scope="col">{labels.roles}</th>
                {sortable("active", labels.active!)}
                <th scope="col">{t("users.lockedOut")}</th>
                {sortable("sys_updated_on", t("registry.col.updated"))}
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr>
                  <td>
                    <a href={adminPaths.user(u.sysId)}>{u.userName}</a>
                  </td>
                  <td>{u.name}</td>
                  <td>{u.roles.join(", ")}</td>
                  <td>
                    <YesNo value={u.active} />
                  </td>
                  <td>{u.lockedUntil !== null && u.lockedUntil > Date.now() ? t("users.yes") : ""}</td>
                  <td class="nowrap">{props.viewer.i18n.dateTime(u.updatedOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NumberedPager path={adminPaths.users} query={query} total={total} range="users.range" />
      <section class="panel" aria-labelledby="new-user">
        <h2 id="new-user">{t("users.new")}</h2>
        <ErrorSummary errors={props.errors} labels={labels} />
        <form method="post" action={adminPaths.users} novalidate class="form-grid">
          <AdminFormFields viewer={props.viewer} />
          <div class="form-col">
            <TextField id="user_name" label={labels.user_name!} value={props.form.user_name} errors={props.errors} autocomplete="off" mandatory hint={t("users.userNameHint")} />
            {namePartOrder(props.viewer.i18n.locale).map((field) => (
              <TextField id={field} label={labels[field]!} value={props.form[field]} errors={props.errors} autocomplete="off" />
            ))}
            <TextField id="name" label={labels.name!} value={props.form.name} errors={props.errors} autocomplete="off" hint={t("users.nameHint")} />
            <TextField id="email" label={labels.email!} type="email" value={props.form.email} errors={props.errors} autocomplete="off" />
          </div>
          <div class="form-col">
            <TextField id="password" label={labels.password!} type="password" value="" errors={props.errors} autocomplete="new-password" mandatory hint={t("users.passwordHint")} />
            <TextField id="roles" label={labels.roles!} value={props.form.roles} errors={props.errors} autocomplete="off" hint={t("users.rolesHint")} />
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">
                {t("users.create")}
              </button>
            </div>
          </div>
        </form>
      </section>
    </AdminShell>,
  );
}
