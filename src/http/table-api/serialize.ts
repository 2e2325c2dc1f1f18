import type { Kysely } from "kysely";
import { displayValue, type FieldDef, type TableDef, wireValue } from "../../domain/dictionary.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { withWalkedValues } from "../../store/dot-walk-values.ts";
import type { Database } from "../../store/schema.ts";
import { displayValues, type Row } from "../../store/table-record-store.ts";
import type { OutputParams } from "./parameters.ts";

/**
 * Records as the platform puts them on the wire: every value a string, references as
 * `{link, value}` (with sysparm_display_value=true `{display_value, link}`; with
 * sysparm_exclude_reference_link the bare sys_id or display value), and with
 * sysparm_display_value=all a `{display_value, value}` pair for every field.
 */
export interface SerializeContext {
  db: Kysely<Database>;
  publicUrl: string;
  /** Display values are looked up only in tables the caller may read; otherwise the sys_id stands in. */
  mayRead: (table: TableDef) => boolean;
}

type WireValue = string | Record<string, string>;

async function referenceDisplays(context: SerializeContext, rows: readonly Row[], fields: readonly FieldDef[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const field of fields) {
    if (field.type !== "reference" || !field.reference) continue;
    const target = await findTableDef(context.db, field.reference);
    const ids = rows.map((r) => r[field.name]).filter((v): v is string => typeof v === "string" && v !== "");
    out.set(field.name, target && context.mayRead(target) ? await displayValues(context.db, target, ids) : new Map());
  }
  return out;
}

export async function serializeRecords(context: SerializeContext, read: readonly Row[], params: OutputParams): Promise<Record<string, WireValue>[]> {
  // Dot-walked values join the row under their path; from there each is shown as the field it reads.
  const rows = await withWalkedValues(context.db, read, params.walks);
  const displays = params.displayValue === "false" ? new Map<string, Map<string, string>>() : await referenceDisplays(context, rows, params.fields);
  return rows.map((row) => {
    const record: Record<string, WireValue> = {};
    for (const field of params.fields) {
      const value = wireValue(field, row[field.name]);
      if (field.type === "reference") {
        const shown = value === "" ? "" : (displays.get(field.name)?.get(value) ?? value);
        const link = `${context.publicUrl}/api/now/table/${field.reference}/${value}`;
        // The platform's display_value=true keeps the link beside the display value; only
        // sysparm_exclude_reference_link makes it the bare display string.
        if (params.displayValue === "true") record[field.name] = value === "" || params.excludeReferenceLink ? shown : { display_value: shown, link };
        else if (params.displayValue === "all") record[field.name] = value === "" || params.excludeReferenceLink ? { display_value: shown, value } : { display_value: shown, link, value };
        else record[field.name] = value === "" || params.excludeReferenceLink ? value : { link, value };
      } else if (params.displayValue === "true") record[field.name] = displayValue(field, row[field.name]);
      else if (params.displayValue === "all") record[field.name] = { display_value: displayValue(field, row[field.name]), value };
      else record[field.name] = value;
    }
    return record;
  });
}
