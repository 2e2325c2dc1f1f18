import type { Kysely } from "kysely";
import { systemColumns } from "./002-table-api.ts";

/**
 * Import sets: the import set header, transform maps and their field maps, and the
 * `super_class` of sys_db_object by which an admin's staging table extends the import-set row.
 * Staging tables themselves are made at run time, like any custom table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sys_db_object").addColumn("super_class", "varchar(80)", (c) => c.notNull().defaultTo("")).execute();

  await systemColumns(db.schema.createTable("sys_import_set"))
    .addColumn("number", "varchar(40)", (c) => c.notNull().unique())
    .addColumn("table_name", "varchar(80)", (c) => c.notNull())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("mode", "varchar(16)", (c) => c.notNull())
    .addColumn("state_comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("run_as", "varchar(32)", (c) => c.notNull())
    .addColumn("run_as_scope", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("row_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("processed_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("inserted_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("ignored_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("error_count", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("sys_import_set_state").on("sys_import_set").columns(["state", "sys_created_on"]).execute();
  await db.schema.createIndex("sys_import_set_table").on("sys_import_set").columns(["table_name", "mode", "state"]).execute();
  await db.insertInto("sys_number").values({ table_name: "sys_import_set", prefix: "ISET", next_number: 10001 }).execute();

  await systemColumns(db.schema.createTable("sys_transform_map"))
    .addColumn("name", "varchar(100)", (c) => c.notNull())
    .addColumn("source_table", "varchar(80)", (c) => c.notNull())
    .addColumn("target_table", "varchar(80)", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("order", "integer", (c) => c.notNull().defaultTo(100))
    .execute();
  await db.schema.createIndex("sys_transform_map_source").on("sys_transform_map").column("source_table").execute();

  await systemColumns(db.schema.createTable("sys_transform_entry"))
    .addColumn("map", "varchar(32)", (c) => c.notNull())
    .addColumn("source_field", "varchar(80)", (c) => c.notNull())
    .addColumn("target_field", "varchar(80)", (c) => c.notNull())
    .addColumn("coalesce", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("sys_transform_entry_map").on("sys_transform_entry").column("map").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["sys_transform_entry", "sys_transform_map", "sys_import_set"]) await db.schema.dropTable(table).execute();
  await db.deleteFrom("sys_number").where("table_name", "=", "sys_import_set").execute();
  await db.schema.alterTable("sys_db_object").dropColumn("super_class").execute();
}
