import { type Access, coerceValue, type FieldDef, type FieldType, fieldTypes, systemFieldDefs, type TableDef } from "./dictionary.ts";
import { importRowFieldDefs, importRowTable } from "./import-set-tables.ts";
import { ValidationError } from "./validation.ts";

/**
 * Tables and fields an admin adds, as the platform names them: a `u_` prefix keeps them apart
 * from the system's own, and only lowercase letters, digits and underscores reach SQL as
 * identifiers (quoted by Kysely as well, so this is the first of two guards).
 */
export const customNamePattern = /^u_[a-z0-9_]{1,78}$/;

export function customNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || !customNamePattern.test(name)) {
    return 'must start with "u_" followed by 1 to 78 lowercase letters, digits or underscores';
  }
  return null;
}

/** A sys_db_object record of a custom table, as stored. */
export interface TableRecord {
  name: string;
  label: string;
  read_roles: string;
  create_roles: string;
  write_roles: string;
  delete_roles: string;
  /** "" or sys_import_set_row for a staging table. */
  super_class: string;
}

/** A sys_dictionary record of a custom field, as stored. */
export interface FieldRecord {
  name: string;
  element: string;
  column_label: string;
  internal_type: string;
  max_length: number | null;
  mandatory: number;
  read_only: number;
  reference: string;
  default_value: string;
  choices: string;
}

const roleList = /^[a-z0-9_.]+(,[a-z0-9_.]+)*$/;

/** An empty role list lets any authenticated user in; the delete default is admin. */
function accessOf(roles: string): Access {
  const list = roles.split(",").map((r) => r.trim()).filter(Boolean);
  return list.length === 0 ? "any_user" : list;
}

/** "itil, admin" as the platform's forms write it is "itil,admin": spaces around the commas go. */
export function tidyRoleList(value: string): string {
  return value.includes(",") || value !== value.trim() ? value.split(",").map((role) => role.trim()).join(",") : value;
}

export function checkRoleList(field: string, value: string, issues: { field: string; message: string }[]): void {
  if (value !== "" && !roleList.test(value)) issues.push({ field, message: "must be a comma-separated list of role names" });
}

export const defaultStringLength = 255;

export function fieldDefOf(record: FieldRecord): FieldDef {
  const choices = record.choices.split(",").map((c) => c.trim()).filter(Boolean);
  return {
    name: record.element,
    label: record.column_label || record.element,
    type: record.internal_type as FieldType,
    ...(record.internal_type === "string" ? { maxLength: record.max_length ?? defaultStringLength } : {}),
    ...(record.mandatory === 1 ? { mandatory: true } : {}),
    ...(record.read_only === 1 ? { readOnly: true } : {}),
    ...(record.reference ? { reference: record.reference } : {}),
    ...(record.default_value !== "" ? { defaultValue: record.default_value } : {}),
    ...(choices.length > 0 ? { choices: choices.map((c) => ({ value: c, label: c })) } : {}),
  };
}

export function customTableDef(table: TableRecord, fields: FieldRecord[]): TableDef {
  const defs = fields.map(fieldDefOf);
  return {
    name: table.name,
    label: table.label || table.name,
    displayField: defs.find((f) => f.name === "u_name")?.name ?? defs.find((f) => f.type === "string")?.name ?? "sys_id",
    writer: "generic",
    custom: true,
    access: { read: accessOf(table.read_roles), create: accessOf(table.create_roles), write: accessOf(table.write_roles), delete: accessOf(table.delete_roles) },
    fields: [...systemFieldDefs(), ...(table.super_class === importRowTable ? importRowFieldDefs() : []), ...defs],
  };
}

/** Checks a new field's definition; the referenced table's existence is checked by the caller. */
export function checkFieldRecord(record: FieldRecord): void {
  const issues: { field: string; message: string }[] = [];
  const elementProblem = customNameProblem(record.element);
  if (elementProblem) issues.push({ field: "element", message: elementProblem });
  if (!(fieldTypes as readonly string[]).includes(record.internal_type)) issues.push({ field: "internal_type", message: `must be one of ${fieldTypes.join(", ")}` });
  if (record.internal_type === "reference" && !record.reference) issues.push({ field: "reference", message: "a reference field must name the table it points to" });
  if (record.internal_type !== "reference" && record.reference) issues.push({ field: "reference", message: "only a reference field names a table" });
  if (record.max_length !== null && (record.max_length < 1 || record.max_length > 4000)) issues.push({ field: "max_length", message: "must be between 1 and 4000" });
  if (issues.length === 0 && record.default_value !== "") {
    const coerced = coerceValue(fieldDefOf({ ...record, default_value: "" }), record.default_value);
    if (!coerced.ok) issues.push({ field: "default_value", message: coerced.problem });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}
