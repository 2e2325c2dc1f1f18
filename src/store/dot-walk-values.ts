import type { Kysely, Transaction } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import type { DotWalk } from "../domain/dot-walk.ts";
import type { Database } from "./schema.ts";
import { selectRows } from "./sqlite-reader.ts";
import type { Row } from "./table-record-store.ts";

/**
 * The values of dot-walked fields (`caller_id.name`, `caller_id.manager.email`) for rows already
 * read, each set on its row under the walk's path. Walks that share a prefix share its lookups:
 * one query per reference followed (sys_id IN …, by primary key), whatever the number of rows
 * or of fields walked through it. A walk that does not arrive gives null, shown as "".
 */
interface Hop {
  table: TableDef;
  /** The columns read from this table: the next references and the fields read at the end. */
  columns: Set<string>;
  next: Map<string, Hop>;
}

const chunk = 500;

export async function withWalkedValues(db: Kysely<Database> | Transaction<Database>, rows: readonly Row[], walks: readonly DotWalk[]): Promise<Row[]> {
  if (walks.length === 0 || rows.length === 0) return [...rows];
  const root: Pick<Hop, "next"> = { next: new Map() };
  for (const walk of walks) {
    let hop = root;
    for (const [i, step] of walk.steps.entries()) {
      let next = hop.next.get(step.field.name);
      if (!next) hop.next.set(step.field.name, (next = { table: step.target, columns: new Set(["sys_id"]), next: new Map() }));
      next.columns.add(i + 1 < walk.steps.length ? walk.steps[i + 1]!.field.name : walk.leaf.name);
      hop = next;
    }
  }
  // The records each walk prefix arrives at, row by row ("caller_id" → the callers).
  const reached = new Map<string, (Row | undefined)[]>();
  const follow = async (hop: Pick<Hop, "next">, prefix: string, records: readonly (Row | undefined)[]): Promise<void> => {
    for (const [name, next] of hop.next) {
      const ids = records.map((r) => (typeof r?.[name] === "string" && r[name] !== "" ? (r[name] as string) : undefined));
      const found = await recordsById(db, next.table, [...next.columns], ids);
      const path = prefix ? `${prefix}.${name}` : name;
      const arrived = ids.map((id) => (id === undefined ? undefined : found.get(id)));
      reached.set(path, arrived);
      await follow(next, path, arrived);
    }
  };
  await follow(root, "", rows);
  return rows.map((row, i) => {
    const out: Row = { ...row };
    for (const walk of walks) {
      const prefix = walk.path.slice(0, walk.path.lastIndexOf("."));
      out[walk.path] = reached.get(prefix)?.[i]?.[walk.leaf.name] ?? null;
    }
    return out;
  });
}

async function recordsById(db: Kysely<Database> | Transaction<Database>, table: TableDef, columns: string[], ids: readonly (string | undefined)[]): Promise<Map<string, Row>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== undefined))];
  const out = new Map<string, Row>();
  for (let i = 0; i < wanted.length; i += chunk) {
    const rows: Row[] = await selectRows(db, (db as unknown as Kysely<any>).selectFrom(table.name).select(columns).where("sys_id", "in", wanted.slice(i, i + chunk)));
    for (const row of rows) out.set(row.sys_id as string, row);
  }
  return out;
}
