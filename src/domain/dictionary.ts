import { sysIdPattern } from "./sys-id.ts";

/**
 * The table dictionary (the platform's sys_db_object and sys_dictionary): what each table
 * and field is. One description drives validation, serialisation, the ACL and the SQL.
 */
export const fieldTypes = ["string", "integer", "boolean", "reference", "glide_date_time"] as const;
export type FieldType = (typeof fieldTypes)[number];

export interface Choice {
  value: string;
  label: string;
}

export interface FieldDef {
  /** Also the SQL column name. */
  name: string;
  label: string;
  type: FieldType;
  maxLength?: number;
  mandatory?: boolean;
  /** Never written through the API; values in a body are ignored, as on the platform. */
  readOnly?: boolean;
  /** Never read, queried or written through the API by anyone (hashes of secrets). */
  secret?: boolean;
  /** For reference fields: the table the sys_id points into. */
  reference?: string;
  /** A string that holds a sys_id (the platform's GUID type): compared as stored, never case-folded. */
  guid?: true;
  /**
   * Text the instance always stores in lowercase (a table's name in sys_audit): queries fold
   * only the value, so the plain index serves them and the rows written on every token issue
   * and record change need no lower() index beside it.
   */
  storedLowercase?: true;
  choices?: readonly Choice[];
  /** Wire form of the value a new record gets when the field is not given. */
  defaultValue?: string;
  /**
   * Fields whose text, joined by a space, this one is calculated from when a write gives one of
   * them and no value of its own (calculated-fields.ts): sys_user.name from first_name and
   * last_name, as the platform calculates it.
   */
  joinedFrom?: readonly string[];
  /** Field-level read ACL: only these roles (admin always) see the field; others get it masked away. */
  readRoles?: readonly string[];
}

/** Who may do an operation: any authenticated user, nobody, or holders of one of the roles (admin always). */
export type Access = "any_user" | "nobody" | readonly string[];
export type Operation = "read" | "create" | "write" | "delete";

/** Tables whose writes must go through their own rules rather than the generic record writer. */
export type Writer = "generic" | "oauth_entity" | "sys_db_object" | "sys_dictionary" | "sys_ws_definition" | "sys_ws_operation" | "sys_transform_map" | "sys_transform_entry";

export interface TableDef {
  name: string;
  label: string;
  /** The field shown for a reference to this table with sysparm_display_value=true. */
  displayField: string;
  /** In dictionary order; the system fields included. */
  fields: readonly FieldDef[];
  access: Readonly<Record<Operation, Access>>;
  /** Auto-numbered tables (incident → INC0010001). */
  numbering?: { field: string; prefix: string };
  writer: Writer;
  custom: boolean;
}

export function fieldOf(table: TableDef, name: string): FieldDef | undefined {
  return table.fields.find((f) => f.name === name);
}

/**
 * Whether queries compare the field without regard to case, as the platform's database
 * collation does ("GlideRecord queries are case-insensitive", GlideFilter API reference).
 * Only text: numbers, booleans and date-times are not, and a sys_id, whether a GUID string
 * or a reference, is matched as stored (lowercase hex; its primary-key index stays usable).
 */
export function isCaselessText(field: FieldDef): boolean {
  return field.type === "string" && !field.guid;
}

export const systemFieldNames = ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count"] as const;

export function systemFieldDefs(): FieldDef[] {
  return [
    { name: "sys_id", label: "Sys ID", type: "string", maxLength: 32, readOnly: true, guid: true },
    { name: "sys_created_on", label: "Created", type: "glide_date_time", readOnly: true },
    { name: "sys_created_by", label: "Created by", type: "string", maxLength: 100, readOnly: true },
    { name: "sys_updated_on", label: "Updated", type: "glide_date_time", readOnly: true },
    { name: "sys_updated_by", label: "Updated by", type: "string", maxLength: 100, readOnly: true },
    { name: "sys_mod_count", label: "Updates", type: "integer", readOnly: true },
  ];
}

/**
 * sys_* fields belong to the platform: whatever a body says about them is ignored, including
 * ones this instance lacks (sys_class_name, sys_tags…), so a record read from the platform
 * can be sent back. Only well-formed names count; anything else is an unknown field.
 */
export function isSystemField(name: string): boolean {
  return /^sys_[a-z0-9_]+$/.test(name);
}

/** A value as stored: text, a whole number, 0/1 for booleans, or null for empty. */
export type StoredValue = string | number | null;

export type Coerced = { ok: true; value: StoredValue } | { ok: false; problem: string };

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** A date-time that exists: Date.parse rolls 2026-02-30 over into March instead of refusing it. */
function isCalendarDateTime(text: string): boolean {
  const m = dateTimePattern.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second);
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day && at.getUTCHours() === hour && at.getUTCMinutes() === minute && at.getUTCSeconds() === second;
}

/** Turns a value from a request (JSON body or encoded query) into what the column stores. */
export function coerceValue(field: FieldDef, input: unknown): Coerced {
  if (input === null || input === undefined || input === "") {
    if (field.type === "string") return { ok: true, value: "" };
    if (field.type === "boolean") return { ok: true, value: 0 };
    return { ok: true, value: null };
  }
  if (typeof input === "object") return { ok: false, problem: "must be a single value, not an object or list" };
  const text = String(input);
  // PostgreSQL text cannot hold NUL; refusing it on both dialects keeps them alike.
  if (text.includes("\u0000")) return { ok: false, problem: "must not contain NUL characters" };
  let value: StoredValue;
  switch (field.type) {
    case "string":
      if (field.maxLength !== undefined && text.length > field.maxLength) return { ok: false, problem: `must be at most ${field.maxLength} characters` };
      value = text;
      break;
    case "integer":
      if (!/^-?\d{1,15}$/.test(text)) return { ok: false, problem: `must be a whole number, not "${clip(text)}"` };
      value = Number(text);
      break;
    case "boolean":
      if (text === "true" || text === "1") value = 1;
      else if (text === "false" || text === "0") value = 0;
      else return { ok: false, problem: `must be true or false, not "${clip(text)}"` };
      break;
    case "reference":
      if (!sysIdPattern.test(text)) return { ok: false, problem: `must be the sys_id (32 lowercase hex characters) of a ${field.reference} record` };
      value = text;
      break;
    case "glide_date_time": {
      if (!isCalendarDateTime(text)) return { ok: false, problem: `must be a UTC date and time as YYYY-MM-DD HH:MM:SS, not "${clip(text)}"` };
      value = text;
      break;
    }
  }
  if (field.choices && !field.choices.some((c) => c.value === String(value))) {
    return { ok: false, problem: `must be one of ${field.choices.map((c) => c.value).join(", ")}, not "${clip(text)}"` };
  }
  return { ok: true, value };
}

/** Every value is a string on the wire: "true"/"false", "2", "" for empty. */
export function wireValue(field: FieldDef, stored: unknown): string {
  if (stored === null || stored === undefined) return "";
  if (field.type === "boolean") return Number(stored) === 1 ? "true" : "false";
  return String(stored);
}

/** The display value of a non-reference field: a choice's label, otherwise the value itself. */
export function displayValue(field: FieldDef, stored: unknown): string {
  const value = wireValue(field, stored);
  return field.choices?.find((c) => c.value === value)?.label ?? value;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
