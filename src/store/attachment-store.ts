import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import { writeAudit } from "./audit-store.ts";
import type { Database, SysAttachmentTable } from "./schema.ts";
import { newSystemFields } from "./system-fields.ts";

/**
 * Attachments: the metadata row and the bytes, written and removed together. The parent
 * record is checked (and on PostgreSQL locked) in the same transaction, so an attachment
 * never outlives the record it belongs to, even when both happen at once.
 */
type Db = Kysely<Database> | Transaction<Database>;
export type AttachmentRow = SysAttachmentTable;

export interface NewAttachment {
  parent: TableDef;
  parentSysId: string;
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/** The new attachment's metadata, or undefined when the parent record does not exist. */
export async function insertAttachment(db: Kysely<Database>, dialect: "sqlite" | "postgres", attachment: NewAttachment, actor: string): Promise<AttachmentRow | undefined> {
  return db.transaction().execute(async (trx) => {
    let parent = (trx as unknown as Kysely<any>).selectFrom(attachment.parent.name).select("sys_id").where("sys_id", "=", attachment.parentSysId);
    // A concurrent delete of the parent waits for this upload (and then removes it too), or wins and this sees no parent.
    if (dialect === "postgres") parent = parent.forUpdate();
    if (!(await parent.executeTakeFirst())) return undefined;
    const row: AttachmentRow = {
      ...newSystemFields(actor),
      table_name: attachment.parent.name,
      table_sys_id: attachment.parentSysId,
      file_name: attachment.fileName,
      content_type: attachment.contentType,
      size_bytes: attachment.bytes.byteLength,
      size_compressed: attachment.bytes.byteLength,
      compressed: 0,
      hash: createHash("sha256").update(attachment.bytes).digest("hex"),
      state: "available",
    };
    await trx.insertInto("sys_attachment").values(row).execute();
    await trx.insertInto("sys_attachment_doc").values({ sys_attachment: row.sys_id, data: Buffer.from(attachment.bytes.buffer, attachment.bytes.byteOffset, attachment.bytes.byteLength) }).execute();
    await writeAudit(trx, [{ tablename: attachment.parent.name, documentkey: attachment.parentSysId, fieldname: "sys_attachment", newvalue: `${row.file_name} (${row.sys_id})`, user: actor, reasonText: { key: "auditReason.attached" } }]);
    return row;
  });
}

export async function findAttachment(db: Db, sysId: string): Promise<AttachmentRow | undefined> {
  return db.selectFrom("sys_attachment").selectAll().where("sys_id", "=", sysId).executeTakeFirst();
}

export async function attachmentBytes(db: Db, sysId: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom("sys_attachment_doc").select("data").where("sys_attachment", "=", sysId).executeTakeFirst();
  // better-sqlite3 and pg give a Buffer, PGlite a Uint8Array.
  return row ? Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength) : undefined;
}

export async function deleteAttachment(db: Kysely<Database>, sysId: string, actor: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await findAttachment(trx, sysId);
    if (!current) return false;
    await trx.deleteFrom("sys_attachment").where("sys_id", "=", sysId).execute();
    await writeAudit(trx, [{ tablename: current.table_name, documentkey: current.table_sys_id, fieldname: "sys_attachment", oldvalue: `${current.file_name} (${sysId})`, user: actor, reasonText: { key: "auditReason.attachmentDeleted" } }]);
    return true;
  });
}

/**
 * Removes the attachments of a record (or, without a sys_id, of every record of a table)
 * inside the caller's transaction; the bytes go by cascade.
 */
export async function deleteAttachmentsOf(trx: Transaction<Database>, tableName: string, sysId?: string): Promise<void> {
  let query = trx.deleteFrom("sys_attachment").where("table_name", "=", tableName);
  if (sysId !== undefined) query = query.where("table_sys_id", "=", sysId);
  await query.execute();
}
