import type { AuditListing } from "../../../store/audit-listing.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AuditTable, tableLabel } from "./audit-table.tsx";
import { PageHeader } from "./components.tsx";
import { OlderPager } from "./older-pager.tsx";

export function auditPage(props: {
  viewer: Viewer;
  rows: AuditListing[];
  tables: string[];
  table: string | undefined;
  record: string | undefined;
  limit: number;
  pages: { olderHref: string | undefined; newestHref: string | undefined };
  olderPage: boolean;
}): string {
  const recordName = props.record ? (props.rows[0]?.recordName ?? props.record) : undefined;
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("audit.title")} active="audit" viewer={props.viewer}>
      <PageHeader title={recordName ? t("audit.historyOf", { name: recordName }) : t("audit.title")} crumbs={recordName ? [{ href: adminPaths.audit, label: t("audit.title") }] : []} />
      <p class="muted">{t("audit.lead")}</p>
      {props.record ? null : (
        <form method="get" action={adminPaths.audit} class="filter">
          <label for="table">{t("audit.table")}</label>
          <select id="table" name="table">
            <option value="">{t("audit.allTables")}</option>
            {props.tables.map((name) => (
              <option value={name} selected={name === props.table}>
                {tableLabel(t, name)}
              </option>
            ))}
          </select>
          <button type="submit" class="btn">
            {t("audit.show")}
          </button>
        </form>
      )}
      <AuditTable rows={props.rows} showRecord={!props.record} />
      <OlderPager note={props.olderPage ? undefined : t("audit.newest", { count: props.limit })} {...props.pages} />
    </AdminShell>,
  );
}

/** A History for a key that never named a record and has no audit rows: said, where an empty list would leave the reader guessing. */
export function noSuchRecordPage(props: { viewer: Viewer; record: string }): string {
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("audit.notFoundTitle")} active="audit" viewer={props.viewer}>
      <PageHeader title={t("audit.notFoundTitle")} crumbs={[{ href: adminPaths.audit, label: t("audit.title") }]} />
      <div class="alert alert-error" role="alert">
        {t("audit.notFound", { record: props.record })}
      </div>
    </AdminShell>,
  );
}
