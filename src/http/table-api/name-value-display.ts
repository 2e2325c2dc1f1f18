import type { Kysely } from "kysely";
import { coerceValue, type FieldDef, fieldOf, isCaselessText, type TableDef } from "../../domain/dictionary.ts";
import { maxWalkedReferences } from "../../domain/dot-walk.ts";
import type { Condition } from "../../domain/encoded-query.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import type { Database } from "../../store/schema.ts";
import type { ApiPrincipal } from "./api-principal.ts";
import { resolveDotWalk } from "./dot-walk-access.ts";
import { badRequest, forbidden } from "./errors.ts";

/**
 * The platform's Table API reference, of name-value pairs: "You can also use the display value
 * when the field is a choice or reference type field, such as `&state=closed` instead of
 * `&state=7`". A choice's label selects its value; a reference that is not a sys_id matches the
 * records shown by that text, read as `field.<display field>=text` (a subquery on sys_id, so
 * every record shown so matches, however many). Both ignore case, as `=` on text does.
 *
 * A display value is matched only where the caller may read it (the table referred to and its
 * display field), as the text operators on a reference do; elsewhere the pair is refused as the
 * dot-walk it amounts to is, the same whatever the value, so it reveals nothing.
 */
export interface PairContext {
  principal: ApiPrincipal;
  /** The table the request lists. */
  table: TableDef;
  db: Kysely<Database>;
  /** Names the parameter in errors. */
  source: string;
}

/** The OR group a name-value pair's `field=value` condition stands for, display values read. */
export async function withDisplayValue(condition: Condition, context: PairContext): Promise<Condition[]> {
  if (condition.operator !== "=" || condition.value === "") return [condition];
  const field = condition.walk ? condition.walk.leaf : fieldOf(context.table, condition.field);
  if (!field) return [condition];
  if (field.choices) return [...byChoice(condition, field, context.source)];
  if (field.type === "reference" && field.reference && !sysIdPattern.test(condition.value)) return byDisplayValue(condition, field.reference, context);
  return [condition];
}

/** A stored value as given; else the choices whose label it is (several labels may read alike); else the value, where the type takes it. */
function byChoice(condition: Condition, field: FieldDef, source: string): Condition[] {
  const value = condition.value;
  const fold = (text: string) => text.toLowerCase();
  const stored = field.choices!.some((c) => (isCaselessText(field) ? fold(c.value) === fold(value) : c.value === value));
  if (stored) return [condition];
  const labelled = field.choices!.filter((c) => fold(c.label) === fold(value));
  if (labelled.length > 0) return labelled.map((c) => ({ ...condition, value: c.value }));
  // A value the choice list has since lost may still be stored (`?priority=9` matches such records, if any).
  if (coerceValue({ ...field, choices: undefined }, value).ok) return [condition];
  const known = field.choices!.filter((c) => c.value !== "").map((c) => `${c.value} (${c.label})`).join(", ");
  throw badRequest(`${source}: no choice of ${condition.field} has the label or value "${value.slice(0, 60)}"; its choices are ${known.length > 300 ? `${known.slice(0, 300)}…` : known}`);
}

async function byDisplayValue(condition: Condition, reference: string, context: PairContext): Promise<Condition[]> {
  const target = await findTableDef(context.db, reference);
  // The compiler then says the value must be a sys_id of that table.
  if (!target) return [condition];
  const path = `${condition.field}.${target.displayField}`;
  const shown = `"${condition.value.slice(0, 60)}" is not a sys_id, so it would be matched as the display value of a ${target.name} record (${path})`;
  if (path.split(".").length - 1 > maxWalkedReferences) throw badRequest(`${context.source}: ${shown}, which follows more than ${maxWalkedReferences} references`);
  const access = await resolveDotWalk(context.db, context.principal, context.table, path, context.source);
  if ("denied" in access) throw forbidden(`${context.source}: ${shown}, and ${access.denied}`);
  // The display field may itself be a choice or a reference (sys_user_has_role is shown by its role).
  return withDisplayValue({ field: path, operator: "=", value: condition.value, walk: access.walk }, context);
}
