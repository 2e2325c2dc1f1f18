import type { Kysely } from "kysely";
import { fieldOf, type TableDef } from "../../domain/dictionary.ts";
import { type DotWalk, maxWalkedReferences, type WalkStep } from "../../domain/dot-walk.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import type { Database } from "../../store/schema.ts";
import { mayDo, mayReadDisplay, mayReadField } from "./acl.ts";
import type { ApiPrincipal } from "./api-principal.ts";
import { badRequest } from "./errors.ts";

/**
 * Checks a dot-walk against the dictionary and the caller's rights, step by step. A walk that
 * names no field, goes through a field that is not a reference or goes too deep is the client's
 * mistake (400, naming the step). A walk through something the caller may not read (the
 * reference field, the table it points into, the field read at the end) is `denied`: a response
 * leaves it out, as it leaves out a masked field, and a filter is refused, since matching on a
 * value one cannot read reveals it one guess at a time.
 */
export type WalkAccess = { walk: DotWalk } | { denied: string };

export async function resolveDotWalk(db: Kysely<Database>, principal: ApiPrincipal, table: TableDef, path: string, source: string): Promise<WalkAccess> {
  const names = path.split(".");
  const problem = (detail: string) => badRequest(`${source}: "${path.slice(0, 120)}" ${detail}`);
  if (names.some((n) => !/^[a-z][a-z0-9_]*$/.test(n))) throw problem("is not a field name or a dot-walk such as caller_id.name");
  if (names.length - 1 > maxWalkedReferences) throw problem(`walks ${names.length - 1} references; at most ${maxWalkedReferences} are followed`);
  const steps: WalkStep[] = [];
  let denied: string | undefined;
  let current = table;
  for (const name of names.slice(0, -1)) {
    const field = fieldOf(current, name);
    if (!field || field.secret) throw problem(`walks through "${name}", which is no field of ${current.name}`);
    if (field.type !== "reference" || !field.reference) throw problem(`walks through ${current.name}.${name}, a ${field.type} field; only a reference can be dot-walked`);
    const target = await findTableDef(db, field.reference);
    if (!target) throw problem(`walks through ${current.name}.${name}, which refers to the table ${field.reference} that does not exist`);
    if (!mayReadField(principal, field)) denied ??= `${principal.user.userName} may not read the field ${current.name}.${name}`;
    else if (!mayDo(principal, target, "read")) denied ??= `${principal.user.userName} may not read records of the table ${target.name}`;
    steps.push({ field, target });
    current = target;
  }
  const leafName = names[names.length - 1]!;
  const leaf = fieldOf(current, leafName);
  if (!leaf || leaf.secret) throw problem(`ends at "${leafName}", which is no field of ${current.name}`);
  if (!mayReadField(principal, leaf)) denied ??= `${principal.user.userName} may not read the field ${current.name}.${leafName}`;
  if (denied) return { denied };
  return { walk: { path, steps, leaf, ...(await displayOf(db, principal, leaf.reference)) } };
}

/** A walked reference is matched by display value by the text operators, as a reference of the table itself is. */
async function displayOf(db: Kysely<Database>, principal: ApiPrincipal, reference: string | undefined): Promise<Pick<DotWalk, "display">> {
  const target = reference ? await findTableDef(db, reference) : undefined;
  return target && mayReadDisplay(principal)(target) ? { display: { table: target.name, column: target.displayField } } : {};
}
