import { coerceValue, fieldOf, isSystemField, type StoredValue, type TableDef } from "./dictionary.ts";
import { type FieldIssue, ValidationError } from "./validation.ts";

/**
 * A request body checked against the dictionary: every field named must exist, values must
 * fit their type, mandatory fields must be filled. sys_* and read-only fields are ignored,
 * as the platform ignores them, so a client may send back a record it read.
 */
export type RecordMode = "create" | "update";

/** A JSON object: not an array, nor another kind of object (a form body's URLSearchParams, say), which would read as a record with no fields. */
export function isPlainObject(body: unknown): body is Record<string, unknown> {
  if (typeof body !== "object" || body === null) return false;
  const prototype: unknown = Object.getPrototypeOf(body);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The sys_id a create asks for. The platform takes one (GlideRecord's setNewGuidValue, which
 * PySNC's set_new_guid_value sends as sys_id in the body), so a record can keep its identity
 * across instances; it must look like one. Absent or empty: the instance makes one.
 */
export function requestedSysId(body: unknown): string | undefined {
  if (!isPlainObject(body) || body.sys_id === undefined || body.sys_id === "") return undefined;
  if (typeof body.sys_id !== "string" || !/^[0-9a-f]{32}$/.test(body.sys_id)) throw new ValidationError([{ field: "sys_id", message: "a sys_id is 32 lowercase hexadecimal characters" }]);
  return body.sys_id;
}

/** The body minus what the platform ignores; unknown fields are kept so the rules can name them. */
export function writableEntries(table: TableDef, body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(([name]) => {
      const field = fieldOf(table, name);
      return !(isSystemField(name) || (field && field.readOnly && !field.secret));
    }),
  );
}

/**
 * The refusal of a body that is not one record. A JSON array was sent as JSON, so telling its
 * sender to send Content-Type: application/json would send them looking in the wrong place.
 */
export function notOneRecord(body: unknown): ValidationError {
  const message = Array.isArray(body)
    ? "the request body is a JSON array; it must be one JSON object of field names and values (one record per request)"
    : "the request body must be a JSON object of field names and values, sent as Content-Type: application/json";
  return new ValidationError([{ field: "", message }]);
}

export function parseRecordInput(table: TableDef, body: unknown, mode: RecordMode): Record<string, StoredValue> {
  if (!isPlainObject(body)) throw notOneRecord(body);
  const issues: FieldIssue[] = [];
  const values: Record<string, StoredValue> = {};
  for (const [name, input] of Object.entries(writableEntries(table, body))) {
    const field = fieldOf(table, name);
    if (!field || field.secret) {
      issues.push({ field: name.slice(0, 80), message: `the table ${table.name} has no writable field of this name` });
      continue;
    }
    const coerced = coerceValue(field, input);
    if (!coerced.ok) issues.push({ field: name, message: coerced.problem });
    else values[name] = coerced.value;
  }
  for (const field of table.fields) {
    if (field.secret || isSystemField(field.name)) continue;
    if (field.readOnly) {
      // Read-only keeps a writer from setting the field, not the dictionary from giving it its
      // default at insert: without this a read-only field with a default stayed empty for ever.
      const coerced = mode === "create" && field.defaultValue !== undefined ? coerceValue(field, field.defaultValue) : undefined;
      if (coerced?.ok) values[field.name] = coerced.value;
      continue;
    }
    if (mode === "create" && !(field.name in values)) {
      const coerced = coerceValue(field, field.defaultValue ?? "");
      if (coerced.ok) values[field.name] = coerced.value;
    }
    const value = values[field.name];
    const given = mode === "create" || field.name in values;
    // A value refused above is not also "missing".
    const refused = issues.some((issue) => issue.field === field.name);
    if (field.mandatory && given && !refused && (value === null || value === "" || value === undefined)) issues.push({ field: field.name, message: "is mandatory" });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return values;
}
