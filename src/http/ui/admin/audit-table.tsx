import type { Translator } from "../../../i18n/translator.ts";
import type { AuditListing } from "../../../store/audit-listing.ts";
import { type StoredText, tryDecodeStoredText, worded } from "../../../i18n/stored-text.ts";
import { adminPaths, auditOf } from "../../admin/admin-paths.ts";
import { auditFieldValue, auditValueText } from "./audit-values.ts";
import { fieldLabel } from "./field-label.ts";
import { useI18n } from "../i18n-context.tsx";

const labelledTables = ["oauth_entity", "oauth_credential", "sys_user"] as const;

export function tableLabel(t: Translator["t"], tablename: string): string {
  const known = labelledTables.find((name) => name === tablename);
  return known ? t(`audit.table.${known}`) : tablename;
}

/**
 * Whether a row records a record's creation or deletion. Endpoints and users say so in `reason`;
 * providers say it in their catalog reason ("created provider"), read the same way so both kinds
 * of registry record show "Created, name: …" and "Deleted, name was …".
 */
function lifecycle(row: AuditListing, text: StoredText | undefined): "created" | "deleted" | undefined {
  if (row.reason === "created" || text?.key === "auditReason.createdProvider") return "created";
  if (row.reason === "deleted" || text?.key.startsWith("auditReason.deletedProvider")) return "deleted";
  return undefined;
}

/** A reason the Change column already says: the row reads as an endpoint's creation or deletion does, with no reason. */
const saidByChange = new Set(["auditReason.createdProvider", "auditReason.deletedProvider"]);

/** One sentence per change: which field of the record changed, by its label, from what to what. */
function describe(t: Translator["t"], row: AuditListing, text: StoredText | undefined): string {
  const field = fieldLabel(t, row.tablename, row.fieldname);
  // A reference reads as the user it names while they exist; a deleted user's row keeps the sys_id.
  const newvalue = row.newDisplay ?? auditFieldValue(t, row.tablename, row.fieldname, auditValueText(t, row.newvalue ?? "", (clientId) => (clientId === row.tokenClientId && row.tokenClientName ? row.tokenClientName : clientId)));
  const oldvalue = row.oldDisplay ?? auditFieldValue(t, row.tablename, row.fieldname, row.oldvalue ?? "");
  const kind = lifecycle(row, text);
  if (kind === "created") return t("audit.created", { field, value: newvalue });
  if (kind === "deleted") return t("audit.deleted", { field, value: oldvalue });
  if (row.oldvalue && row.newvalue) return t("audit.changed", { field, from: oldvalue, to: newvalue });
  if (row.newvalue) return t("audit.set", { field, value: newvalue });
  return t("audit.cleared", { field, value: oldvalue });
}

/** The reason in the reader's language when it was stored as a catalog text; an older row's English as it is. */
function reasonText(t: Translator["t"], row: AuditListing, text: StoredText | undefined): string {
  if (text) return saidByChange.has(text.key) ? "" : worded(text, t);
  return row.reason && row.reason !== "created" && row.reason !== "deleted" ? row.reason : "";
}

/**
 * Who made the change: a user by name; an endpoint acting with no user by its name, linked to its
 * registry record as Manage Tokens links it, with the client ID the row was written with beside it.
 * An endpoint since deleted keeps the row's own "oauth:<client ID>".
 */
function Actor(props: { row: AuditListing }) {
  const client = props.row.actorClient;
  if (!client) return <>{props.row.user}</>;
  return (
    <>
      <a href={adminPaths.registryRecord(client.sysId)} title={props.row.user}>
        {client.name}
      </a>
      <span class="muted small"> · {client.clientId}</span>
    </>
  );
}

export function AuditTable(props: { rows: AuditListing[]; showRecord: boolean }) {
  const { t, dateTime } = useI18n();
  if (props.rows.length === 0) return <p class="empty">{t("audit.empty")}</p>;
  return (
    <div class="table-wrap">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">{t("audit.when")}</th>
            <th scope="col">{t("audit.user")}</th>
            {props.showRecord ? <th scope="col">{t("audit.record")}</th> : null}
            <th scope="col">{t("audit.change")}</th>
            <th scope="col">{t("audit.reason")}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => {
            const text = row.reasonText ? tryDecodeStoredText(row.reasonText) : undefined;
            return (
              <tr>
                <td class="nowrap">{dateTime(row.createdOn)}</td>
                <td class="name">
                  <Actor row={row} />
                </td>
                {props.showRecord ? (
                  <td class="name">
                    <a href={auditOf(row.tablename, row.documentkey)}>{row.recordName ?? row.documentkey.slice(0, 8)}</a>
                    <span class="muted small"> · {tableLabel(t, row.tablename)}</span>
                  </td>
                ) : null}
                <td class="wrap change">{describe(t, row, text)}</td>
                <td>{reasonText(t, row, text)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
