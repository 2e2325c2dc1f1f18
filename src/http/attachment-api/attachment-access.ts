import type { TableDef } from "../../domain/dictionary.ts";
import { systemTables } from "../../domain/system-tables.ts";
import type { Instance } from "../../instance.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { mayDo } from "../table-api/acl.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";
import { notFound } from "../table-api/errors.ts";

/**
 * An attachment is as visible and as changeable as the record it hangs on: the parent
 * table's ACL (read to list and download, read and write to upload, write to delete)
 * decides, through the same rules as the Table API.
 */
const tableName = /^[a-z][a-z0-9_]{0,79}$/;

/** The table an attachment may hang on; attachments of attachments are not a thing. */
export async function parentTable(instance: Instance, name: string): Promise<TableDef> {
  const table = tableName.test(name) && name !== "sys_attachment" ? await findTableDef(instance.store.db, name) : undefined;
  if (!table) throw notFound(`Invalid table ${name.slice(0, 80)}`);
  return table;
}

/** Names of the tables whose attachments the principal may list; null when every table's. */
export async function readableTableNames(instance: Instance, principal: ApiPrincipal): Promise<string[] | null> {
  // Whoever passes an admin-only rule passes every table's read rule but "nobody", which no parent table has for read.
  const adminOnly = { name: "", access: { read: ["admin"] } } as unknown as TableDef;
  if (mayDo(principal, adminOnly, "read")) return null;
  const names = [...systemTables.keys()];
  const custom = await instance.store.db.selectFrom("sys_db_object").select("name").execute();
  const readable: string[] = [];
  for (const name of [...names, ...custom.map((c) => c.name)]) {
    const table = await findTableDef(instance.store.db, name);
    if (table && name !== "sys_attachment" && mayDo(principal, table, "read")) readable.push(name);
  }
  return readable;
}
