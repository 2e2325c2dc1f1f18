import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { auditedTables, hasAuditRows, listAudit } from "../../store/audit-listing.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { cursorParam, epochCursor } from "../../store/keyset-cursor.ts";
import { getRecord } from "../../store/table-record-store.ts";
import { auditPage, noSuchRecordPage } from "../ui/admin/audit-page.tsx";
import { requireAdmin, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";

const auditLimit = 300;

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" && v.length <= 100 ? v : undefined);

/**
 * Whether a History with no rows is about something that was ever there: a record of the table
 * the link names, or a key with audit rows under another table. A deleted record keeps its rows,
 * so only a key that never named anything (a mistyped or cut-short link) is neither.
 */
async function everExisted(instance: Instance, audited: readonly string[], tablename: string | undefined, documentkey: string): Promise<boolean> {
  const db = instance.store.db;
  if (await hasAuditRows(db, audited, documentkey)) return true;
  const table = tablename ? await findTableDef(db, tablename) : undefined;
  return table !== undefined && (await getRecord(db, table, documentkey, ["sys_id"])) !== undefined;
}

/** Audit: every change, newest first, or one record's History (`record`, with the `table` it is in). */
export async function auditList(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const query = request.query as Record<string, unknown>;
  const tables = await auditedTables(instance.store.db);
  // A table with no audit rows (a stale link, a typo) is no filter: the choice shows All tables, so the list does too.
  const table = tables.find((name) => name === text(query.table));
  const record = typeof query.record === "string" && query.record !== "" ? query.record : undefined;
  const older = epochCursor(query.older);
  // One more than a page: whether there is an older page to link to. sys_audit.documentkey holds
  // 32 characters: a longer key names nothing, and is not looked for.
  const found = record !== undefined && record.length > 32 ? [] : await listAudit(instance.store.db, { ...(table ? { tablename: table } : {}), ...(record ? { documentkey: record } : {}), limit: auditLimit + 1, older });
  if (record !== undefined && found.length === 0 && (record.length > 32 || !(await everExisted(instance, tables, text(query.table), record)))) {
    sendAdminHTML(reply, 404, noSuchRecordPage({ viewer: admin.viewer, record: record.length > 40 ? `${record.slice(0, 40)}…` : record }));
    return;
  }
  const rows = found.slice(0, auditLimit);
  const link = (cursor?: string) => `${adminPaths.audit}?${new URLSearchParams({ ...(table ? { table } : {}), ...(record ? { record } : {}), ...(cursor ? { older: cursor } : {}) })}`.replace(/\?$/, "");
  const last = rows.at(-1);
  const pages = {
    olderHref: found.length > auditLimit && last ? link(cursorParam({ time: last.createdAt, sysId: last.sysId })) : undefined,
    newestHref: older ? link() : undefined,
  };
  sendAdminHTML(reply, 200, auditPage({ viewer: admin.viewer, rows, tables, table, record, limit: auditLimit, pages, olderPage: older !== undefined }));
}
