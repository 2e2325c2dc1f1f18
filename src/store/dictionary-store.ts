import type { Kysely } from "kysely";
import { customNamePattern, customTableDef } from "../domain/custom-tables.ts";
import type { TableDef } from "../domain/dictionary.ts";
import { systemTables } from "../domain/system-tables.ts";
import type { Database } from "./schema.ts";
import { selectRows } from "./sqlite-reader.ts";

/**
 * The dictionary as one lookup: system tables are described in code, custom tables by
 * their sys_db_object and sys_dictionary records, read on each use so every node of a
 * cluster sees a new table at once.
 */
export async function findTableDef(db: Kysely<Database>, name: string): Promise<TableDef | undefined> {
  const system = systemTables.get(name);
  if (system) return system;
  if (!customNamePattern.test(name)) return undefined;
  const [table] = await selectRows(db, db.selectFrom("sys_db_object").selectAll().where("name", "=", name));
  if (!table) return undefined;
  const fields = await selectRows(db, db.selectFrom("sys_dictionary").selectAll().where("name", "=", name).orderBy("sys_created_on").orderBy("element"));
  return customTableDef(table, fields);
}
