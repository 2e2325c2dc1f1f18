import { type RawBuilder, sql } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import type { DotWalk } from "../domain/dot-walk.ts";

/**
 * Dot-walked values a query sorts, groups or aggregates by (`ORDERBYcaller_id.name`, the Aggregate
 * API's `sysparm_group_by=caller_id.name`), read through LEFT JOINs on the referenced tables'
 * primary key: one join per reference followed, shared by walks with a common prefix, as the
 * platform's outer join does. A condition on a walk stays a subquery (dot-walk-sql.ts); a value to
 * sort or group by is needed on every row, which a join reads once per row by primary key.
 *
 * Each joined table is a derived table whose columns are renamed `_key` and `_f_<field>`, names no
 * field can have (a field starts with a letter): the query's own unqualified columns (the selected
 * ones, whereOf, the sys_id tie-break) still name the queried table alone, and a table walking into
 * itself (`u_parent.u_name`) is not ambiguous. SQLite and PostgreSQL both flatten such a derived
 * table into a plain join (EXPLAIN: a primary-key search, or a hash join).
 */
export interface WalkJoins {
  /** Adds the joins to a select from the queried table (a Kysely select builder). */
  apply<T>(select: T): T;
  /**
   * A walk's value. Where the walk arrives nowhere (an empty reference, or one to a record since
   * deleted) it is the empty value of the field it reads: "" for text, as text fields store it, so
   * the record sorts and groups with the empty ones; NULL for the other types, as they store it.
   */
  value(walk: DotWalk): RawBuilder<unknown>;
}

interface Hop {
  alias: string;
  table: TableDef;
  /** The reference this hop follows: a column of the queried table, or of the hop before. */
  from: string;
  /** The columns read from this hop's table: the next references and the fields read at the end. */
  columns: Set<string>;
  next: Map<string, Hop>;
}

export function walkJoins(table: TableDef, walks: readonly DotWalk[]): WalkJoins {
  const hops: Hop[] = [];
  const first = new Map<string, Hop>();
  const leaf = new Map<string, string>();
  for (const walk of walks) {
    let hop: Hop | undefined;
    for (const step of walk.steps) {
      const siblings = hop?.next ?? first;
      let next = siblings.get(step.field.name);
      if (!next) {
        hop?.columns.add(step.field.name);
        const from = hop ? `${hop.alias}._f_${step.field.name}` : `${table.name}.${step.field.name}`;
        next = { alias: `_w${hops.length}`, table: step.target, from, columns: new Set(), next: new Map() };
        siblings.set(step.field.name, next);
        hops.push(next);
      }
      hop = next;
    }
    hop!.columns.add(walk.leaf.name);
    leaf.set(walk.path, `${hop!.alias}._f_${walk.leaf.name}`);
  }
  return {
    apply<T>(select: T): T {
      // Parents come before their children in `hops`, so each ON names a join already made.
      let out: any = select;
      for (const hop of hops) {
        const columns = [sql.ref("sys_id").as("_key"), ...[...hop.columns].map((c) => sql.ref(c).as(`_f_${c}`))];
        out = out.leftJoin((eb: any) => eb.selectFrom(hop.table.name).select(columns).as(hop.alias), `${hop.alias}._key`, hop.from);
      }
      return out as T;
    },
    value(walk: DotWalk): RawBuilder<unknown> {
      const column = leaf.get(walk.path);
      if (!column) throw new Error(`no join was planned for the walk ${walk.path}`);
      return walk.leaf.type === "string" ? sql`coalesce(${sql.ref(column)}, '')` : sql.ref(column);
    },
  };
}
