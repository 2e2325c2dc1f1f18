import { type Kysely, PostgresAdapter } from "kysely";
import { systemColumns } from "./002-table-api.ts";

/**
 * The Attachment API's storage: sys_attachment holds what the platform calls the metadata,
 * sys_attachment_doc the bytes, one row each, so a download reads one row and a listing
 * never touches file content. Deleting the metadata row deletes the bytes with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await systemColumns(db.schema.createTable("sys_attachment"))
    .addColumn("table_name", "varchar(80)", (c) => c.notNull())
    .addColumn("table_sys_id", "varchar(32)", (c) => c.notNull())
    .addColumn("file_name", "varchar(255)", (c) => c.notNull())
    .addColumn("content_type", "varchar(255)", (c) => c.notNull())
    .addColumn("size_bytes", "bigint", (c) => c.notNull())
    .addColumn("size_compressed", "bigint", (c) => c.notNull())
    .addColumn("compressed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("hash", "varchar(64)", (c) => c.notNull())
    .addColumn("state", "varchar(40)", (c) => c.notNull().defaultTo("available"))
    .execute();
  // Listing a record's attachments, and deleting them with the record, look them up by parent.
  await db.schema.createIndex("sys_attachment_parent").on("sys_attachment").columns(["table_name", "table_sys_id"]).execute();
  await db.schema
    .createTable("sys_attachment_doc")
    .addColumn("sys_attachment", "varchar(32)", (c) => c.primaryKey().references("sys_attachment.sys_id").onDelete("cascade"))
    .addColumn("data", postgres ? "bytea" : "blob", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sys_attachment_doc").execute();
  await db.schema.dropTable("sys_attachment").execute();
}
