import type { CreateTableBuilder, Kysely } from "kysely";

// Frozen once released, like 001: Kysely<any> because the typed schema moves on.
type Db = Kysely<any>;

/** The platform's bookkeeping columns; custom tables get the same ones (see custom-table-store.ts). */
export function systemColumns<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return table
    .addColumn("sys_id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("sys_created_on", "varchar(19)", (c) => c.notNull())
    .addColumn("sys_created_by", "varchar(100)", (c) => c.notNull())
    .addColumn("sys_updated_on", "varchar(19)", (c) => c.notNull())
    .addColumn("sys_updated_by", "varchar(100)", (c) => c.notNull())
    .addColumn("sys_mod_count", "integer", (c) => c.notNull().defaultTo(0));
}

/**
 * The Table API's own tables: the dictionary of custom tables and fields (the system
 * tables are described in code), the demo `incident` table, and numbering counters.
 */
export async function up(db: Db): Promise<void> {
  await systemColumns(db.schema.createTable("sys_db_object"))
    .addColumn("name", "varchar(80)", (c) => c.notNull().unique())
    .addColumn("label", "varchar(100)", (c) => c.notNull().defaultTo(""))
    .addColumn("read_roles", "varchar(400)", (c) => c.notNull().defaultTo(""))
    .addColumn("create_roles", "varchar(400)", (c) => c.notNull().defaultTo(""))
    .addColumn("write_roles", "varchar(400)", (c) => c.notNull().defaultTo(""))
    .addColumn("delete_roles", "varchar(400)", (c) => c.notNull().defaultTo("admin"))
    .execute();

  await systemColumns(db.schema.createTable("sys_dictionary"))
    .addColumn("name", "varchar(80)", (c) => c.notNull())
    .addColumn("element", "varchar(80)", (c) => c.notNull())
    .addColumn("column_label", "varchar(100)", (c) => c.notNull().defaultTo(""))
    .addColumn("internal_type", "varchar(40)", (c) => c.notNull())
    .addColumn("max_length", "integer")
    .addColumn("mandatory", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("read_only", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reference", "varchar(80)", (c) => c.notNull().defaultTo(""))
    .addColumn("default_value", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("choices", "text", (c) => c.notNull().defaultTo(""))
    .addUniqueConstraint("sys_dictionary_name_element", ["name", "element"])
    .execute();

  await systemColumns(db.schema.createTable("incident"))
    .addColumn("number", "varchar(40)", (c) => c.notNull().unique())
    .addColumn("short_description", "varchar(160)", (c) => c.notNull().defaultTo(""))
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("state", "integer")
    .addColumn("priority", "integer")
    .addColumn("caller_id", "varchar(32)")
    .addColumn("assigned_to", "varchar(32)")
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  // References are indexed; deleting a user leaves the reference dangling, as on the platform.
  for (const column of ["caller_id", "assigned_to", "state", "priority"]) {
    await db.schema.createIndex(`incident_${column}`).on("incident").column(column).execute();
  }

  await db.schema
    .createTable("sys_number")
    .addColumn("table_name", "varchar(80)", (c) => c.primaryKey())
    .addColumn("prefix", "varchar(10)", (c) => c.notNull())
    .addColumn("next_number", "integer", (c) => c.notNull())
    .execute();
  await db.insertInto("sys_number").values({ table_name: "incident", prefix: "INC", next_number: 10001 }).execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of ["sys_number", "incident", "sys_dictionary", "sys_db_object"]) await db.schema.dropTable(table).execute();
}
