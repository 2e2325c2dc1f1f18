import type { Kysely } from "kysely";
import { systemColumns } from "./002-table-api.ts";

/**
 * Scripted REST APIs: definitions (`sys_ws_definition`, one base path each) and their
 * resources (`sys_ws_operation`, a method, a relative path and a script). Column names are
 * the platform's. The dispatcher reads them on every request, so there is no cache to
 * invalidate across nodes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await systemColumns(db.schema.createTable("sys_ws_definition"))
    .addColumn("name", "varchar(100)", (c) => c.notNull())
    .addColumn("namespace", "varchar(40)", (c) => c.notNull())
    .addColumn("service_id", "varchar(40)", (c) => c.notNull())
    .addColumn("base_uri", "varchar(100)", (c) => c.notNull().unique())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("short_description", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  await systemColumns(db.schema.createTable("sys_ws_operation"))
    .addColumn("web_service_definition", "varchar(32)", (c) => c.notNull().references("sys_ws_definition.sys_id").onDelete("cascade"))
    .addColumn("name", "varchar(100)", (c) => c.notNull())
    .addColumn("http_method", "varchar(10)", (c) => c.notNull())
    .addColumn("relative_path", "varchar(400)", (c) => c.notNull().defaultTo("/"))
    .addColumn("operation_script", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("requires_authentication", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("roles_required", "varchar(400)", (c) => c.notNull().defaultTo(""))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex("sys_ws_operation_definition").on("sys_ws_operation").column("web_service_definition").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["sys_ws_operation", "sys_ws_definition"]) await db.schema.dropTable(table).execute();
}
