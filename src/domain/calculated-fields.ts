import type { StoredValue, TableDef } from "./dictionary.ts";

/** Text parts joined by one space, each trimmed and empty ones left out: "Ada Lovelace", or "Lovelace" alone. */
export function joinedText(parts: readonly unknown[]): string {
  return parts
    .map((part) => (part === null || part === undefined ? "" : String(part).trim()))
    .filter((part) => part !== "")
    .join(" ");
}

/**
 * A write's values with its calculated fields filled in (FieldDef.joinedFrom). A field is
 * calculated when the write gives one of its parts and no text of its own: a create fills every
 * field it lacks with a blank default, so blank counts as not given. Parts the write leaves out
 * come from `current`, the record an update changes.
 */
export function withCalculatedFields(table: TableDef, values: Record<string, StoredValue>, current: Record<string, unknown> = {}): Record<string, StoredValue> {
  let result = values;
  for (const field of table.fields) {
    const parts = field.joinedFrom;
    if (!parts || !parts.some((part) => part in values)) continue;
    const own = values[field.name];
    if (own !== undefined && own !== null && String(own).trim() !== "") continue;
    result = { ...result, [field.name]: joinedText(parts.map((part) => (part in values ? values[part] : current[part]))) };
  }
  return result;
}
