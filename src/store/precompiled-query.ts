import type { Compilable, CompiledQuery, Insertable, Kysely, QueryResult } from "kysely";
import type { Database } from "./schema.ts";

type Slot = { arg: number } | { value: unknown };

interface Template {
  compiled: CompiledQuery;
  slots: Slot[];
}

const marker = (i: number) => `\u0000precompiled-argument-${i}\u0000`;

/**
 * A query built and compiled once per dialect, then run with each call's values bound to the
 * same SQL. On the token endpoint and the bearer check, building and compiling a Kysely query
 * cost more than the database took to answer it. `build` must use its arguments only as
 * values (comparisons, inserted values, limits): each is replaced by a marker when the query
 * is compiled, and the markers must come back as parameters.
 */
export function precompiled<Args extends unknown[], R>(build: (db: Kysely<Database>, ...args: Args) => Compilable<R>, arity = build.length - 1): (db: Kysely<Database>, ...args: Args) => Promise<QueryResult<R>> {
  // One template per dialect adapter: transactions share their database's adapter.
  const templates = new WeakMap<object, Template>();
  const compile = (db: Kysely<Database>): Template => {
    const markers = Array.from({ length: arity }, (_, i) => marker(i));
    const compiled = build(db, ...(markers as Args)).compile();
    const slots = compiled.parameters.map((value): Slot => {
      const arg = typeof value === "string" ? markers.indexOf(value) : -1;
      return arg >= 0 ? { arg } : { value };
    });
    const used = new Set(slots.flatMap((s) => ("arg" in s ? [s.arg] : [])));
    if (used.size !== arity || compiled.sql.includes("\u0000")) throw new Error(`precompiled query: every argument must be a bound value (${compiled.sql})`);
    return { compiled, slots };
  };
  return (db, ...args) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compile(db);
      templates.set(adapter, template);
    }
    const parameters = template.slots.map((s) => ("arg" in s ? args[s.arg] : s.value));
    return db.executeQuery<R>({ ...template.compiled, parameters } as CompiledQuery<R>);
  };
}

/** A one-row insert into `table` of these columns, precompiled; each call takes the values from a row object. */
export function precompiledInsert<T extends keyof Database & string>(table: T, columns: readonly (keyof Insertable<Database[T]> & string)[]): (db: Kysely<Database>, row: Insertable<Database[T]>) => Promise<unknown> {
  const insert = precompiled((db: Kysely<Database>, ...values: unknown[]) => db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, values[i]])) as never), columns.length);
  return (db, row) => insert(db, ...columns.map((c) => (row as Record<string, unknown>)[c]));
}
