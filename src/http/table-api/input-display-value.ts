import type { Kysely } from "kysely";
import type { FieldDef, TableDef } from "../../domain/dictionary.ts";
import { isPlainObject } from "../../domain/record-input.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { type FieldIssue, ValidationError } from "../../domain/validation.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import type { Database } from "../../store/schema.ts";
import { findByDisplayValue } from "../../store/table-record-store.ts";
import { mayReadDisplay } from "./acl.ts";
import type { ApiPrincipal } from "./api-principal.ts";

/** Labels are listed in a refusal when they fit in a line; a long list would bury the message. */
const listedLabels = 200;

/**
 * The value a choice label stands for, without regard to case as text is matched in a query
 * (the label as written wins over one differing only in case). A choice's value is taken too,
 * as it is without the parameter; anything else is refused by what the field's labels are.
 */
function choiceByLabel(field: FieldDef, given: string): string | FieldIssue | undefined {
  const choices = field.choices ?? [];
  const exact = choices.find((c) => c.label === given);
  if (exact) return exact.value;
  const folded = choices.filter((c) => c.label.toLowerCase() === given.toLowerCase());
  if (folded.length === 1) return folded[0]!.value;
  if (choices.some((c) => c.value === given)) return undefined;
  const shown = `"${given.slice(0, 60)}"`;
  if (folded.length > 1) return { field: field.name, message: `more than one choice of ${field.name} has the label ${shown} in another case: ${folded.map((c) => c.label).join(", ")}` };
  const labels = choices.flatMap((c) => (c.label === "" ? [] : [c.label])).join(", ");
  return { field: field.name, message: `no choice of ${field.name} has the label ${shown}${labels.length <= listedLabels ? `; its labels are ${labels}` : ""}` };
}

/**
 * sysparm_input_display_value=true: a body may name a referenced record by its display value
 * ("Abel Tuter" rather than a sys_id) and a choice by its label ("1 - Critical"), each without
 * regard to case as a query's `=` matches text. Each must match exactly one record or choice.
 *
 * Only where the caller may read the referenced table and its display field, as a text filter
 * on a reference matches display values only there: elsewhere "no record is shown as", "more
 * than one" and a match would each tell them what the table holds. There a name is refused
 * whatever the table holds, and a sys_id is taken as given.
 */
export async function resolveDisplayInput(db: Kysely<Database>, principal: ApiPrincipal, table: TableDef, body: unknown): Promise<unknown> {
  if (!isPlainObject(body)) return body;
  const out: Record<string, unknown> = { ...body };
  const issues: FieldIssue[] = [];
  const readable = mayReadDisplay(principal);
  for (const field of table.fields) {
    const value = out[field.name];
    if (typeof value !== "string" || value === "") continue;
    if (field.choices) {
      const choice = choiceByLabel(field, value);
      if (typeof choice === "string") out[field.name] = choice;
      else if (choice) issues.push(choice);
      continue;
    }
    if (field.type !== "reference" || !field.reference || sysIdPattern.test(value)) continue;
    const target = await findTableDef(db, field.reference);
    if (target && !readable(target)) {
      issues.push({ field: field.name, message: `${principal.user.userName} may not read the display values of ${target.name} records, so one is named here by its sys_id only` });
      continue;
    }
    const matches = target ? await findByDisplayValue(db, target, value) : [];
    if (matches.length === 1) out[field.name] = matches[0];
    else issues.push({ field: field.name, message: matches.length === 0 ? `no ${field.reference} record is shown as "${value.slice(0, 60)}"` : `more than one ${field.reference} record is shown as "${value.slice(0, 60)}"` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return out;
}
