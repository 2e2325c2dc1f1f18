import type { AuditListing } from "../../../store/audit-listing.ts";
import { auditOf } from "../../admin/admin-paths.ts";

const tableLabels: Record<string, string> = {
  oauth_entity: "Application Registry",
  oauth_credential: "Tokens",
  sys_user: "Users",
};

export function tableLabel(tablename: string): string {
  return tableLabels[tablename] ?? tablename;
}

/** One sentence per change: who changed which field of which record, from what to what. */
function describe(row: AuditListing): string {
  if (row.reason === "created") return `Created, ${row.fieldname}: ${row.newvalue}`;
  if (row.reason === "deleted") return `Deleted, ${row.fieldname} was ${row.oldvalue}`;
  if (row.oldvalue && row.newvalue) return `${row.fieldname}: ${row.oldvalue} → ${row.newvalue}`;
  if (row.newvalue) return `${row.fieldname}: ${row.newvalue}`;
  return `${row.fieldname} cleared (was ${row.oldvalue})`;
}

export function AuditTable(props: { rows: AuditListing[]; showRecord: boolean }) {
  if (props.rows.length === 0) return <p class="empty">No changes recorded.</p>;
  return (
    <div class="table-wrap">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">User</th>
            {props.showRecord ? <th scope="col">Record</th> : null}
            <th scope="col">Change</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              <td class="nowrap">{row.createdOn}</td>
              <td>{row.user}</td>
              {props.showRecord ? (
                <td>
                  <a href={auditOf(row.tablename, row.documentkey)}>{row.recordName ?? row.documentkey.slice(0, 8)}</a>
                  <span class="muted small"> · {tableLabel(row.tablename)}</span>
                </td>
              ) : null}
              <td class="wrap">{describe(row)}</td>
              <td>{row.reason && row.reason !== "created" && row.reason !== "deleted" ? row.reason : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
