import type { FieldDef, TableDef } from "./dictionary.ts";
import { systemFieldDefs } from "./dictionary.ts";

/**
 * The Import Set API's tables as the dictionary describes them: the import set header,
 * transform maps and field maps, and the fields every staging table inherits from the
 * import-set row (a custom table whose sys_db_object has super_class = sys_import_set_row).
 */
export const importRowTable = "sys_import_set_row";

export const importRowStates = ["pending", "inserted", "updated", "ignored", "error"] as const;
export type ImportRowState = (typeof importRowStates)[number];

export const importSetStates = ["loading", "loaded", "processing", "processed", "error"] as const;

const choicesOf = (values: readonly string[]) => values.map((value) => ({ value, label: value.charAt(0).toUpperCase() + value.slice(1) }));
const readOnly = { readOnly: true } as const;
const importAdmin = ["import_admin"] as const;

/** Written only by the import machinery; the sys_ prefix keeps them out of every request body. */
export function importRowFieldDefs(): FieldDef[] {
  return [
    { name: "sys_import_set", label: "Set", type: "reference", reference: "sys_import_set", ...readOnly },
    { name: "sys_import_row", label: "Row", type: "integer", ...readOnly },
    { name: "sys_import_state", label: "State", type: "string", maxLength: 16, choices: choicesOf(importRowStates), ...readOnly },
    { name: "sys_import_state_comment", label: "Comment", type: "string", maxLength: 4000, ...readOnly },
    { name: "sys_target_table", label: "Target table", type: "string", maxLength: 80, ...readOnly },
    { name: "sys_target_sys_id", label: "Target record", type: "string", maxLength: 32, guid: true, ...readOnly },
    { name: "sys_transform_map", label: "Transform map", type: "reference", reference: "sys_transform_map", ...readOnly },
  ];
}

export function isStagingTable(table: TableDef): boolean {
  return table.custom && table.fields.some((f) => f.name === "sys_import_row");
}

/**
 * Why a transform may not write `table`, or null. A transform writes through the generic writer,
 * so a table with writer rules of its own (the registry, the dictionary, Scripted REST's compiled
 * scripts) is never a target: its rules would be skipped.
 */
export function transformTargetProblem(table: TableDef): string | null {
  return table.writer !== "generic" || isStagingTable(table) ? `${table.name} cannot be the target of a transform` : null;
}

const count = (name: string, label: string): FieldDef => ({ name, label, type: "integer", ...readOnly });

export const sysImportSet: TableDef = {
  name: "sys_import_set",
  label: "Import Set",
  displayField: "number",
  writer: "generic",
  custom: false,
  numbering: { field: "number", prefix: "ISET" },
  // Loaded through the Import Set API only; the loader follows progress through the Table API.
  access: { read: "any_user", create: "nobody", write: "nobody", delete: ["admin"] },
  fields: [
    ...systemFieldDefs(),
    { name: "number", label: "Set", type: "string", maxLength: 40, ...readOnly },
    { name: "table_name", label: "Import set table", type: "string", maxLength: 80, ...readOnly },
    { name: "state", label: "State", type: "string", maxLength: 16, choices: choicesOf(importSetStates), ...readOnly },
    { name: "mode", label: "Mode", type: "string", maxLength: 16, choices: choicesOf(["synchronous", "asynchronous"]), ...readOnly },
    { name: "state_comment", label: "Comment", type: "string", maxLength: 4000, ...readOnly },
    { name: "run_as", label: "Run as", type: "reference", reference: "sys_user", ...readOnly },
    count("row_count", "Rows"),
    count("processed_count", "Processed"),
    count("inserted_count", "Inserts"),
    count("updated_count", "Updates"),
    count("ignored_count", "Ignored"),
    count("error_count", "Errors"),
  ],
};

export const sysTransformMap: TableDef = {
  name: "sys_transform_map",
  label: "Table Transform Map",
  displayField: "name",
  writer: "sys_transform_map",
  custom: false,
  access: { read: importAdmin, create: importAdmin, write: importAdmin, delete: importAdmin },
  fields: [
    ...systemFieldDefs(),
    { name: "name", label: "Name", type: "string", maxLength: 100, mandatory: true },
    { name: "source_table", label: "Source table", type: "string", maxLength: 80, mandatory: true },
    { name: "target_table", label: "Target table", type: "string", maxLength: 80, mandatory: true },
    { name: "active", label: "Active", type: "boolean", defaultValue: "true" },
    { name: "order", label: "Order", type: "integer", defaultValue: "100" },
  ],
};

export const sysTransformEntry: TableDef = {
  name: "sys_transform_entry",
  label: "Field Map",
  displayField: "target_field",
  writer: "sys_transform_entry",
  custom: false,
  access: { read: importAdmin, create: importAdmin, write: importAdmin, delete: importAdmin },
  fields: [
    ...systemFieldDefs(),
    { name: "map", label: "Transform map", type: "reference", reference: "sys_transform_map", mandatory: true },
    { name: "source_field", label: "Source field", type: "string", maxLength: 80, mandatory: true },
    { name: "target_field", label: "Target field", type: "string", maxLength: 80, mandatory: true },
    { name: "coalesce", label: "Coalesce", type: "boolean", defaultValue: "false" },
    // The platform's default: a coalesce value matches whatever its case ("ADA@Example.com" finds ada@example.com).
    { name: "coalesce_case_sensitive", label: "Coalesce case sensitive", type: "boolean", defaultValue: "false" },
  ],
};
