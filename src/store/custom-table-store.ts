import { createHash } from "node:crypto";
import { type CreateTableBuilder, type Kysely, sql, type Transaction } from "kysely";
import type { FieldRecord, TableRecord } from "../domain/custom-tables.ts";
import type { FieldType } from "../domain/dictionary.ts";
import { importRowTable } from "../domain/import-set-tables.ts";
import { systemTables } from "../domain/system-tables.ts";
import { ValidationError } from "../domain/validation.ts";
import { deleteAttachmentsOf } from "./attachment-store.ts";
import { writeAudit } from "./audit-store.ts";
import { systemColumns } from "./migrations/002-table-api.ts";
import type { Database } from "./schema.ts";
import { newSystemFields } from "./system-fields.ts";
import { constraintProblem } from "./table-record-store.ts";

/**
 * Custom tables and fields: a sys_db_object or sys_dictionary record and the SQL table or
 * column it describes, created and dropped in one transaction. Names were checked against
 * the u_ rule before they get here, and Kysely's schema builder quotes them besides.
 */
const columnTypes: Record<FieldType, "text" | "bigint" | "integer" | "varchar(32)" | "varchar(19)"> = {
  string: "text",
  integer: "bigint",
  boolean: "integer",
  reference: "varchar(32)",
  glide_date_time: "varchar(19)",
};

async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    throw constraintProblem(error) ?? error;
  }
}

export async function createCustomTable(db: Kysely<Database>, record: TableRecord, actor: string): Promise<string> {
  if (systemTables.has(record.name)) throw new ValidationError([{ field: "name", message: `${record.name} is a system table` }]);
  return inTransaction(db, async (trx) => {
    if (await trx.selectFrom("sys_db_object").select("sys_id").where("name", "=", record.name).executeTakeFirst()) {
      throw new ValidationError([{ field: "name", message: `a table named ${record.name} already exists` }]);
    }
    const row = { ...newSystemFields(actor), ...record };
    await trx.insertInto("sys_db_object").values(row).execute();
    const staging = record.super_class === importRowTable;
    const columns = systemColumns(trx.schema.createTable(record.name));
    await (staging ? importRowColumns(columns) : columns).execute();
    // The transform job reads a set's pending rows in row order.
    if (staging) await trx.schema.createIndex(`${record.name}_import_idx`).on(record.name).columns(["sys_import_set", "sys_import_state", "sys_import_row"]).execute();
    await writeAudit(trx, [{ tablename: "sys_db_object", documentkey: row.sys_id, fieldname: "name", newvalue: record.name, user: actor, reason: "created" }]);
    return row.sys_id;
  });
}

/** Drops the table, its dictionary entries and its records. */
export async function dropCustomTable(db: Kysely<Database>, sysId: string, actor: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const current = await trx.selectFrom("sys_db_object").selectAll().where("sys_id", "=", sysId).executeTakeFirst();
    if (!current) return false;
    await trx.deleteFrom("sys_dictionary").where("name", "=", current.name).execute();
    await trx.deleteFrom("sys_db_object").where("sys_id", "=", sysId).execute();
    await trx.schema.dropTable(current.name).execute();
    await deleteAttachmentsOf(trx, current.name);
    await writeAudit(trx, [{ tablename: "sys_db_object", documentkey: sysId, fieldname: "name", oldvalue: current.name, user: actor, reason: "deleted" }]);
    return true;
  });
}

/** The import-set row's columns (see importRowFieldDefs). */
function importRowColumns<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return table
    .addColumn("sys_import_set", "varchar(32)")
    .addColumn("sys_import_row", "bigint")
    .addColumn("sys_import_state", "varchar(16)", (c) => c.notNull().defaultTo("pending"))
    .addColumn("sys_import_state_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("sys_target_table", "varchar(80)", (c) => c.notNull().defaultTo(""))
    .addColumn("sys_target_sys_id", "varchar(32)")
    .addColumn("sys_transform_map", "varchar(32)");
}

const indexName = (record: { name: string; element: string }) => `${record.name}_${record.element}_idx`;

export async function addCustomField(db: Kysely<Database>, record: FieldRecord, actor: string): Promise<string> {
  return inTransaction(db, async (trx) => {
    if (!(await trx.selectFrom("sys_db_object").select("sys_id").where("name", "=", record.name).executeTakeFirst())) {
      throw new ValidationError([{ field: "name", message: `no custom table named ${record.name}; fields are added to u_ tables` }]);
    }
    const row = { ...newSystemFields(actor), ...record };
    await trx.insertInto("sys_dictionary").values(row).execute();
    await trx.schema.alterTable(record.name).addColumn(record.element, columnTypes[record.internal_type as FieldType]).execute();
    if (record.internal_type === "reference") await trx.schema.createIndex(indexName(record)).on(record.name).column(record.element).execute();
    await writeAudit(trx, [{ tablename: "sys_dictionary", documentkey: row.sys_id, fieldname: "element", newvalue: `${record.name}.${record.element}`, user: actor, reason: "created" }]);
    return row.sys_id;
  });
}

/**
 * Coalesce fields are looked up once per imported row, so they are indexed (the platform asks
 * for the same). The name is a hash: table and column names together can pass PostgreSQL's
 * 63-character limit for identifiers.
 */
export const coalesceIndexName = (table: string, column: string) => `coalesce_${createHash("sha256").update(`${table}.${column}`).digest("hex").slice(0, 24)}`;

/** A text coalesce field is looked up without regard to case, so its index is on lower(column). */
export const caselessCoalesceIndexName = (table: string, column: string) => `coalescei_${createHash("sha256").update(`${table}.${column}`).digest("hex").slice(0, 24)}`;

export async function ensureCoalesceIndex(db: Kysely<Database>, table: string, column: string, text: boolean): Promise<void> {
  await db.schema.createIndex(coalesceIndexName(table, column)).ifNotExists().on(table).column(column).execute();
  if (text) await db.schema.createIndex(caselessCoalesceIndexName(table, column)).ifNotExists().on(table).expression(sql`lower(${sql.ref(column)})`).execute();
}

export async function dropCustomField(db: Kysely<Database>, sysId: string, actor: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const current = await trx.selectFrom("sys_dictionary").selectAll().where("sys_id", "=", sysId).executeTakeFirst();
    if (!current) return false;
    await trx.deleteFrom("sys_dictionary").where("sys_id", "=", sysId).execute();
    if (current.internal_type === "reference") await trx.schema.dropIndex(indexName(current)).execute();
    // SQLite cannot drop an indexed column.
    await trx.schema.dropIndex(coalesceIndexName(current.name, current.element)).ifExists().execute();
    await trx.schema.dropIndex(caselessCoalesceIndexName(current.name, current.element)).ifExists().execute();
    await trx.schema.alterTable(current.name).dropColumn(current.element).execute();
    await writeAudit(trx, [{ tablename: "sys_dictionary", documentkey: sysId, fieldname: "element", oldvalue: `${current.name}.${current.element}`, user: actor, reason: "deleted" }]);
    return true;
  });
}

export async function findDictionaryRecord(db: Kysely<Database>, table: "sys_db_object" | "sys_dictionary", sysId: string) {
  return db.selectFrom(table).selectAll().where("sys_id", "=", sysId).executeTakeFirst();
}
