import type { Kysely } from "kysely";
import { fieldOf, isCaselessText, isSystemField, type StoredValue, type TableDef } from "../../domain/dictionary.ts";
import { isStagingTable, transformTargetProblem } from "../../domain/import-set-tables.ts";
import { parseRecordInput } from "../../domain/record-input.ts";
import { type FieldIssue, ValidationError } from "../../domain/validation.ts";
import { ensureCoalesceIndex } from "../../store/custom-table-store.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import type { Database } from "../../store/schema.ts";
import { deleteRecord, getRecord, insertRecord, updateRecord } from "../../store/table-record-store.ts";
import type { RecordWriter } from "./record-writers.ts";

/**
 * Transform maps and field maps are plain records, checked against what they name: a map
 * goes from a staging table to a table the generic writer serves; a field map names a field
 * of the map's staging table and a writable field of its target. The checks run on the
 * record as it will be after the write, so an update cannot leave a map pointing nowhere.
 */
type Db = Kysely<Database>;

async function checkMap(db: Db, record: Record<string, unknown>): Promise<void> {
  const issues: FieldIssue[] = [];
  const source = await findTableDef(db, String(record.source_table ?? ""));
  if (!source || !isStagingTable(source)) issues.push({ field: "source_table", message: `${String(record.source_table)} is not a staging table (a u_ table whose super_class is sys_import_set_row)` });
  const target = await findTableDef(db, String(record.target_table ?? ""));
  const refused = target ? transformTargetProblem(target) : `no table named ${String(record.target_table)}`;
  if (refused) issues.push({ field: "target_table", message: refused });
  if (issues.length > 0) throw new ValidationError(issues);
}

/** The map's two tables, for checking a field map against them. */
async function tablesOfMap(db: Db, mapSysId: unknown): Promise<{ source: TableDef; target: TableDef } | undefined> {
  if (typeof mapSysId !== "string") return undefined;
  const map = await db.selectFrom("sys_transform_map").select(["source_table", "target_table"]).where("sys_id", "=", mapSysId).executeTakeFirst();
  if (!map) return undefined;
  const [source, target] = await Promise.all([findTableDef(db, map.source_table), findTableDef(db, map.target_table)]);
  return source && target ? { source, target } : undefined;
}

async function checkEntry(db: Db, record: Record<string, unknown>): Promise<void> {
  const tables = await checkedEntryTables(db, record);
  const target = String(record.target_field);
  const field = fieldOf(tables.target, target);
  if (Number(record.coalesce) === 1) await ensureCoalesceIndex(db, tables.target.name, target, field !== undefined && isCaselessText(field));
}

async function checkedEntryTables(db: Db, record: Record<string, unknown>): Promise<{ source: TableDef; target: TableDef }> {
  const tables = await tablesOfMap(db, record.map);
  if (!tables) throw new ValidationError([{ field: "map", message: "no transform map with this sys_id, or its tables no longer exist" }]);
  const issues: FieldIssue[] = [];
  const sourceField = String(record.source_field ?? "");
  const from = fieldOf(tables.source, sourceField);
  if (!from || from.secret || isSystemField(sourceField)) issues.push({ field: "source_field", message: `the staging table ${tables.source.name} has no field ${sourceField}` });
  const targetField = String(record.target_field ?? "");
  const to = fieldOf(tables.target, targetField);
  if (!to || to.secret || to.readOnly || isSystemField(targetField)) issues.push({ field: "target_field", message: `the table ${tables.target.name} has no writable field ${targetField}` });
  if (issues.length > 0) throw new ValidationError(issues);
  return tables;
}

function definitionWriter(check: (db: Db, record: Record<string, unknown>) => Promise<void>): RecordWriter {
  return {
    async create({ db, actor, mayRead }, table, body) {
      const values = parseRecordInput(table, body, "create");
      await check(db, values);
      return { sysId: (await insertRecord(db, table, values, { actor, mayRead })).sys_id as string };
    },
    async update({ db, actor, mayRead, expected }, table, sysId, body) {
      const current = await getRecord(db, table, sysId, table.fields.map((f) => f.name));
      if (!current) return false;
      const values: Record<string, StoredValue> = parseRecordInput(table, body, "update");
      await check(db, { ...current, ...values });
      return (await updateRecord(db, table, sysId, values, { actor, mayRead }, expected)) !== undefined;
    },
    async remove({ db, actor }, table, sysId) {
      // A map's field maps go with it.
      if (table.name === "sys_transform_map") {
        const entries = await db.selectFrom("sys_transform_entry").select("sys_id").where("map", "=", sysId).execute();
        const entryTable = (await findTableDef(db, "sys_transform_entry"))!;
        for (const entry of entries) await deleteRecord(db, entryTable, entry.sys_id, actor);
      }
      return deleteRecord(db, table, sysId, actor);
    },
  };
}

export const transformMapWriter = definitionWriter(checkMap);
export const transformEntryWriter = definitionWriter(checkEntry);
