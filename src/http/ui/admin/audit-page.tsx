import type { AuditListing } from "../../../store/audit-listing.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { AuditTable, tableLabel } from "./audit-table.tsx";
import { PageHeader } from "./components.tsx";

export function auditPage(props: { viewer: Viewer; rows: AuditListing[]; tables: string[]; table: string | undefined; record: string | undefined; limit: number }): string {
  const recordName = props.record ? (props.rows[0]?.recordName ?? props.record) : undefined;
  return renderPage(
    <AdminShell title="Audit" active="audit" viewer={props.viewer}>
      <PageHeader title={recordName ? `History of ${recordName}` : "Audit"} crumbs={recordName ? [{ href: adminPaths.audit, label: "Audit" }] : []} />
      <p class="muted">Every change, one row per field, newest first. Secrets never appear here: a new secret or password is recorded only as having changed.</p>
      {props.record ? null : (
        <form method="get" action={adminPaths.audit} class="filter">
          <label for="table">Table</label>
          <select id="table" name="table">
            <option value="">All tables</option>
            {props.tables.map((t) => (
              <option value={t} selected={t === props.table}>
                {tableLabel(t)}
              </option>
            ))}
          </select>
          <button type="submit" class="btn">
            Show
          </button>
        </form>
      )}
      <AuditTable rows={props.rows} showRecord={!props.record} />
      {props.rows.length === props.limit ? <p class="muted small">Showing the newest {props.limit} changes.</p> : null}
    </AdminShell>,
  );
}
