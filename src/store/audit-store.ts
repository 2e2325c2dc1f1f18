import type { Kysely } from "kysely";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import type { Database } from "./schema.ts";

export interface AuditEntry {
  tablename: string;
  documentkey: string;
  fieldname: string;
  oldvalue?: string;
  newvalue?: string;
  reason?: string;
  user: string;
}

/** One row per changed field, like the platform's sys_audit. Callers pass no secret values. */
export async function writeAudit(db: Kysely<Database>, entries: AuditEntry[], now = Date.now()): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto("sys_audit")
    .values(
      entries.map((e) => ({
        sys_id: newSysId(),
        tablename: e.tablename,
        documentkey: e.documentkey,
        fieldname: e.fieldname,
        oldvalue: e.oldvalue ?? "",
        newvalue: e.newvalue ?? "",
        reason: e.reason ?? "",
        user: e.user,
        sys_created_on: glideDateTime(now),
        created_at: now,
      })),
    )
    .execute();
}

export async function auditHistory(db: Kysely<Database>, tablename: string, documentkey: string) {
  return db
    .selectFrom("sys_audit")
    .selectAll()
    .where("tablename", "=", tablename)
    .where("documentkey", "=", documentkey)
    .orderBy("created_at")
    .execute();
}
