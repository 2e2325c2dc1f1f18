import { type Kysely, type RawBuilder, sql } from "kysely";

/**
 * Equality and IN on text compare lower(column) with lower(value) (table-query-sql.ts), which
 * an index on the bare column cannot serve. Every index a Table API query can lead with a text
 * field gets a twin on lower() of its text columns; sys_id-holding columns stay as stored. The
 * originals stay: uniqueness, sign-in by user_name and the import jobs look values up as stored.
 * sys_audit and sys_attachment name tables, which are stored lowercase (storedLowercase): their
 * plain indexes serve, and an audit row, written with every token issued, keeps its index count.
 * Frozen once released: the list is of the indexes that existed when it was written.
 */
const lower = (column: string) => sql`lower(${sql.ref(column)})`;
const asStored = (column: string) => sql.ref(column);

const twins: [name: string, table: string, columns: RawBuilder<unknown>[]][] = [
  ["sys_user_user_name_lower", "sys_user", [lower("user_name")]],
  ["sys_user_role_name_lower", "sys_user_role", [lower("name")]],
  ["oauth_entity_name_lower", "oauth_entity", [lower("name")]],
  ["oauth_entity_client_id_lower", "oauth_entity", [lower("client_id")]],
  ["incident_number_lower", "incident", [lower("number")]],
  ["sys_db_object_name_lower", "sys_db_object", [lower("name")]],
  ["sys_dictionary_name_element_lower", "sys_dictionary", [lower("name"), lower("element")]],
  ["sys_ws_definition_base_uri_lower", "sys_ws_definition", [lower("base_uri")]],
  ["sys_import_set_number_lower", "sys_import_set", [lower("number")]],
  ["sys_import_set_state_lower", "sys_import_set", [lower("state"), asStored("sys_created_on")]],
  ["sys_import_set_table_lower", "sys_import_set", [lower("table_name"), lower("mode"), lower("state")]],
  ["sys_transform_map_source_lower", "sys_transform_map", [lower("source_table")]],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, columns] of twins) {
    await db.schema.createIndex(name).on(table).expression(sql.join(columns)).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of twins) await db.schema.dropIndex(name).execute();
}
