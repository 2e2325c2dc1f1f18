import { checkFieldRecord, checkRoleList, tidyRoleList, customNameProblem, type FieldRecord, type TableRecord } from "../../domain/custom-tables.ts";
import type { StoredValue, TableDef } from "../../domain/dictionary.ts";
import { parseRecordInput } from "../../domain/record-input.ts";
import { type FieldIssue, ValidationError } from "../../domain/validation.ts";
import { addCustomField, createCustomTable, dropCustomField, dropCustomTable, findDictionaryRecord } from "../../store/custom-table-store.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { updateRecord } from "../../store/table-record-store.ts";
import type { RecordWriter } from "./record-writers.ts";

/**
 * sys_db_object and sys_dictionary records make and unmake real SQL tables and columns, so
 * an admin can create a table and use it through the API at once. What the SQL is built
 * from (name, column, type, reference) is fixed at creation; labels, roles, mandatory,
 * read-only, default and choices may change later.
 */
function checkRoles(values: Record<string, StoredValue>): void {
  const issues: FieldIssue[] = [];
  for (const name of ["read_roles", "create_roles", "write_roles", "delete_roles"]) {
    if (typeof values[name] !== "string") continue;
    values[name] = tidyRoleList(values[name]);
    checkRoleList(name, values[name], issues);
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

function refuseChanges(values: Record<string, StoredValue>, current: Record<string, unknown>, fixed: readonly string[]): void {
  const changed = fixed.filter((name) => name in values && String(values[name] ?? "") !== String(current[name] ?? ""));
  if (changed.length > 0) throw new ValidationError(changed.map((field) => ({ field, message: "cannot change once the table or field exists" })));
}

export const customTableWriter: RecordWriter = {
  async create({ db, actor }, table, body) {
    const values = parseRecordInput(table, body, "create");
    const problem = customNameProblem(values.name);
    if (problem) throw new ValidationError([{ field: "name", message: problem }]);
    checkRoles(values);
    return { sysId: await createCustomTable(db, values as unknown as TableRecord, actor) };
  },
  async update({ db, actor, mayRead, expected }, table, sysId, body) {
    const current = await findDictionaryRecord(db, "sys_db_object", sysId);
    if (!current) return false;
    const values = parseRecordInput(table, body, "update");
    refuseChanges(values, current, ["name", "super_class"]);
    checkRoles(values);
    return (await updateRecord(db, table, sysId, values, { actor, mayRead }, expected)) !== undefined;
  },
  async remove({ db, actor }, _table, sysId) {
    return dropCustomTable(db, sysId, actor);
  },
};

async function checkReference(db: Parameters<typeof findTableDef>[0], record: FieldRecord): Promise<void> {
  if (record.reference && !(await findTableDef(db, record.reference))) throw new ValidationError([{ field: "reference", message: `no table named ${record.reference}` }]);
}

export const dictionaryEntryWriter: RecordWriter = {
  async create({ db, actor }, table: TableDef, body) {
    const record = parseRecordInput(table, body, "create") as unknown as FieldRecord;
    checkFieldRecord(record);
    await checkReference(db, record);
    return { sysId: await addCustomField(db, record, actor) };
  },
  async update({ db, actor, mayRead, expected }, table, sysId, body) {
    const current = await findDictionaryRecord(db, "sys_dictionary", sysId);
    if (!current) return false;
    const values = parseRecordInput(table, body, "update");
    refuseChanges(values, current, ["name", "element", "internal_type", "reference"]);
    checkFieldRecord({ ...current, ...values } as unknown as FieldRecord);
    return (await updateRecord(db, table, sysId, values, { actor, mayRead }, expected)) !== undefined;
  },
  async remove({ db, actor }, _table, sysId) {
    return dropCustomField(db, sysId, actor);
  },
};
