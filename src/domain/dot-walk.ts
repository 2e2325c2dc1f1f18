import type { FieldDef, TableDef } from "./dictionary.ts";

/**
 * A dot-walked field, the platform's `caller_id.manager.name`: each reference followed into the
 * table it points at, then a field of the last one read. The platform's documentation recommends
 * chains of at most three levels ("Dot-walking to data in related tables"); this instance follows
 * at most three references, so a request cannot make it join without bound.
 */
export const maxWalkedReferences = 3;

export interface WalkStep {
  /** A reference field of the table before this step. */
  field: FieldDef;
  /** The table it points into. */
  target: TableDef;
}

export interface DotWalk {
  /** As the request named it; also the key of the value in a response. */
  path: string;
  /** At least one. */
  steps: readonly WalkStep[];
  /** The field read in the last step's table. */
  leaf: FieldDef;
  /**
   * Where a text operator on a walked reference looks for the referenced record's display value
   * (reference-display-query.ts); absent when the caller may not read it, so the sys_id is matched.
   */
  display?: { table: string; column: string };
}

export function isDotWalk(name: string): boolean {
  return name.includes(".");
}

export function leafTable(walk: DotWalk): TableDef {
  return walk.steps[walk.steps.length - 1]!.target;
}

/** The walked value as a field of the queried table: named by its path, typed as the field it reads. */
export function walkedFieldDef(walk: DotWalk): FieldDef {
  return { ...walk.leaf, name: walk.path, readOnly: true };
}
