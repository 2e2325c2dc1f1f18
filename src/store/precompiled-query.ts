import type { Compilable, CompiledQuery, Insertable, Kysely, QueryResult } from "kysely";
import type { Database } from "./schema.ts";
import { readerOf, type SqliteReader } from "./sqlite-reader.ts";
import { sessionOf, type SqliteWriter } from "./sqlite-writer.ts";

type Slot = { arg: number } | { value: unknown };

interface Template {
  compiled: CompiledQuery;
  slots: Slot[];
  /** A SELECT, which may go to the database's SQLite reader when not inside a transaction. */
  reads: boolean;
}

const marker = (i: number) => `\u0000precompiled-argument-${i}\u0000`;

/**
 * A query built and compiled once per dialect, then run with each call's values bound to the
 * same SQL. On the token endpoint and the bearer check, building and compiling a Kysely query
 * cost more than the database took to answer it. `build` must use its arguments only as
 * values (comparisons, inserted values, limits): each is replaced by a marker when the query
 * is compiled, and the markers must come back as parameters.
 */
export interface Precompiled<Args extends unknown[], R> {
  (db: Kysely<Database>, ...args: Args): Promise<QueryResult<R>>;
  /** The same statement, run at once inside `writeDirectly` (src/store/sqlite-writer.ts); its rows. */
  now(writer: SqliteWriter, ...args: Args): R[];
  /** The SELECT run at once on `db`'s SQLite reader (src/store/sqlite-reader.ts); its rows. */
  read(db: Kysely<Database>, reader: SqliteReader, ...args: Args): R[];
}

export function precompiled<Args extends unknown[], R>(build: (db: Kysely<Database>, ...args: Args) => Compilable<R>, arity = build.length - 1): Precompiled<Args, R> {
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
    return { compiled, slots, reads: compiled.query.kind === "SelectQueryNode" };
  };
  const templateFor = (db: Kysely<Database>): Template => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compile(db);
      templates.set(adapter, template);
    }
    return template;
  };
  const run = (db: Kysely<Database>, ...args: Args): Promise<QueryResult<R>> => {
    const template = templateFor(db);
    const parameters = template.slots.map((s) => ("arg" in s ? args[s.arg] : s.value));
    const reader = template.reads ? readerOf(db) : undefined;
    const session = reader ? undefined : sessionOf(db);
    if (reader || session) {
      try {
        return Promise.resolve(reader ? { rows: reader.all<R>(template.compiled.sql, parameters) } : session!.query<R>(template.compiled.sql, parameters));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return db.executeQuery<R>({ ...template.compiled, parameters } as CompiledQuery<R>);
  };
  const now = (writer: SqliteWriter, ...args: Args): R[] => {
    const template = templateFor(writer.db);
    return writer.query<R>(template.compiled.sql, template.slots.map((s) => ("arg" in s ? args[s.arg] : s.value))).rows as R[];
  };
  const read = (db: Kysely<Database>, reader: SqliteReader, ...args: Args): R[] => {
    const template = templateFor(db);
    return reader.all<R>(template.compiled.sql, template.slots.map((s) => ("arg" in s ? args[s.arg] : s.value)));
  };
  return Object.assign(run, { now, read });
}

/** A one-row insert into `table` of these columns, precompiled; each call takes the values from a row object. */
export interface PrecompiledInsert<Row> {
  (db: Kysely<Database>, row: Row): Promise<unknown>;
  /** The insert run at once inside `writeDirectly`. */
  now(writer: SqliteWriter, row: Row): void;
}

export function precompiledInsert<T extends keyof Database & string>(table: T, columns: readonly (keyof Insertable<Database[T]> & string)[]): PrecompiledInsert<Insertable<Database[T]>> {
  const insert = precompiled((db: Kysely<Database>, ...values: unknown[]) => db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, values[i]])) as never), columns.length);
  const values = (row: Insertable<Database[T]>) => columns.map((c) => (row as Record<string, unknown>)[c]);
  return Object.assign((db: Kysely<Database>, row: Insertable<Database[T]>) => insert(db, ...values(row)), { now: (writer: SqliteWriter, row: Insertable<Database[T]>) => void insert.now(writer, ...values(row)) });
}
