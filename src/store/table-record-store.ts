import { type ExpressionBuilder, type Kysely, sql, type Transaction } from "kysely";
import { withCalculatedFields } from "../domain/calculated-fields.ts";
import { fieldOf, isCaselessText, type StoredValue, type TableDef } from "../domain/dictionary.ts";
import type { EncodedQuery } from "../domain/encoded-query.ts";
import { assertVersion, type ExpectedVersions, type RecordVersion } from "../domain/record-version.ts";
import { glideDateTime } from "../domain/sys-id.ts";
import { ValidationError } from "../domain/validation.ts";
import { deleteAttachmentsOf } from "./attachment-store.ts";
import { withAccountRules } from "./account-record-rules.ts";
import { type AuditEntry, auditValue, writeAudit } from "./audit-store.ts";
import { onSqlite } from "./database.ts";
import { findTableDef } from "./dictionary-store.ts";
import { walkJoins } from "./dot-walk-joins.ts";
import type { Database } from "./schema.ts";
import { readerOf, selectRows } from "./sqlite-reader.ts";
import { newSystemFields } from "./system-fields.ts";
import { referenceDisplayColumns } from "./reference-display-query.ts";
import { orderOf, whereOf } from "./table-query-sql.ts";
import { isUniqueViolation, uniqueKeyOf } from "./unique-violation.ts";

/**
 * Records of any table the dictionary describes, read and written through Kysely. Table
 * and column names reaching this module come from the dictionary, never from a request.
 */
export type Row = Record<string, unknown>;
type Db = Kysely<Database> | Transaction<Database>;
const dynamic = (db: Db) => db as unknown as Kysely<any>;

export interface ListRequest {
  table: TableDef;
  /** Whose display values a text operator on a reference may match (reference-display-query.ts); without it, the sys_id. */
  mayReadDisplay?: (target: TableDef) => boolean;
  columns: readonly string[];
  query: EncodedQuery;
  limit: number;
  offset: number;
  count: boolean;
}

export async function listRecords(db: Db, request: ListRequest): Promise<{ rows: Row[]; total: number | null }> {
  const displays = request.mayReadDisplay && (await referenceDisplayColumns(db as Kysely<Database>, request.table, request.query, request.mayReadDisplay));
  const where = whereOf(request.table, request.query, displays);
  // Walked ORDERBY fields are joined in (dot-walk-joins.ts); the count below needs no join.
  const joins = walkJoins(request.table, request.query.orderBy.flatMap((o) => (o.walk ? [o.walk] : [])));
  let select = joins.apply(dynamic(db).selectFrom(request.table.name).select([...request.columns]));
  if (where) select = select.where(where);
  for (const o of orderOf(request.table, request.query, joins)) select = select.orderBy(o.column as any, o.direction);
  const rows = await selectRows(db, select.limit(request.limit).offset(request.offset));
  let total: number | null = null;
  if (request.count) {
    let count = dynamic(db).selectFrom(request.table.name).select((eb) => eb.fn.countAll().as("n"));
    if (where) count = count.where(where);
    total = Number((await selectRows(db, count))[0]!.n);
  }
  return { rows, total };
}

/**
 * SQL of a single-record read, by table and column list. On SQLite outside a transaction the
 * read is one synchronous call on the reader connection (sqlite-reader.ts); through Kysely,
 * building, compiling and queueing it for the connection cost twice the rest of a Table API
 * read. Bounded: sysparm_fields makes the column lists, and a client chooses those.
 */
const recordSql = new Map<string, string>();

export async function getRecord(db: Db, table: TableDef, sysId: string, columns: readonly string[]): Promise<Row | undefined> {
  const select = () => dynamic(db).selectFrom(table.name).select([...columns]).where("sys_id", "=", sysId);
  const reader = readerOf(db as Kysely<Database>);
  if (!reader) return select().executeTakeFirst();
  const key = `${table.name} ${columns.join(",")}`;
  let text = recordSql.get(key);
  if (text === undefined) {
    text = select().compile().sql;
    if (recordSql.size >= 256) recordSql.delete(recordSql.keys().next().value!);
    recordSql.set(key, text);
  }
  return reader.all<Row>(text, [sysId])[0];
}

/** Display values of referenced records, by sys_id (one query per target table). */
export async function displayValues(db: Db, target: TableDef, sysIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(sysIds)];
  if (ids.length === 0) return new Map();
  const rows = await selectRows(db, dynamic(db).selectFrom(target.name).select(["sys_id", target.displayField]).where("sys_id", "in", ids));
  return new Map(rows.map((r) => [r.sys_id as string, r[target.displayField] == null ? "" : String(r[target.displayField])]));
}

/** Who writes: their user name, for the system fields and the audit, and the tables they may read. */
export interface Author {
  actor: string;
  mayRead: (table: TableDef) => boolean;
}

/**
 * A reference must point at a record, stricter than the platform, which stores any sys_id (its
 * "broken references"). Only into a table the author may read, though: elsewhere "no such
 * record" would tell them which sys_ids exist there, so the sys_id is stored as given, as the
 * platform stores it, and reads show it for the display value they may not see.
 */
async function assertReferencesExist(db: Db, table: TableDef, values: Record<string, StoredValue>, author: Author): Promise<void> {
  const issues: { field: string; message: string }[] = [];
  for (const [name, value] of Object.entries(values)) {
    const field = fieldOf(table, name);
    if (field?.type !== "reference" || value === null || !field.reference) continue;
    const target = await findTableDef(db, field.reference);
    if (target && !author.mayRead(target)) continue;
    const found = target && (await dynamic(db).selectFrom(target.name).select("sys_id").where("sys_id", "=", value).executeTakeFirst());
    if (!found) issues.push({ field: name, message: `no ${field.reference} record with sys_id ${value}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/** What a write stored, so a refusal can show the value that was taken. */
export interface Written {
  table: TableDef;
  values: Row;
}

function uniqueProblem(error: unknown, written: Written | undefined): ValidationError {
  const key = uniqueKeyOf(error);
  if (!key) return new ValidationError([{ field: "", message: "a record with the same unique value already exists" }]);
  // The value as it was written (SQLite's message has none), never a secret field's.
  const shown = (column: string) => {
    const value = written?.table.name === key.table ? written.values[column] : undefined;
    const field = written && fieldOf(written.table, column);
    return value === undefined || value === null || !field || field.secret ? `the same ${column}` : `${column} "${String(value).slice(0, 60)}"`;
  };
  return new ValidationError([{ field: key.columns[key.columns.length - 1]!, message: `${key.table} already has a record with ${key.columns.map(shown).join(" and ")}` }]);
}

/** Unique and foreign-key violations are the client's mistake on both dialects. */
export function constraintProblem(error: unknown, written?: Written): ValidationError | null {
  if (isUniqueViolation(error)) return uniqueProblem(error, written);
  const code = (error as { code?: unknown })?.code;
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503") return new ValidationError([{ field: "", message: "the record refers to, or is referred to by, another record" }]);
  return null;
}

async function rethrowConstraint<T>(written: () => Written, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw constraintProblem(error, written()) ?? error;
  }
}

export async function nextNumber(trx: Transaction<Database>, table: TableDef): Promise<string> {
  const counter = await trx
    .updateTable("sys_number")
    .set({ next_number: sql<number>`next_number + 1` })
    .where("table_name", "=", table.name)
    .returning(["prefix", "next_number"])
    .executeTakeFirst();
  if (!counter) throw new Error(`no number counter for ${table.name}`);
  return `${counter.prefix}${String(Number(counter.next_number) - 1).padStart(7, "0")}`;
}


/** A row's version, as its system fields hold it. */
export function versionOf(row: Row): RecordVersion {
  return { modCount: Number(row.sys_mod_count), updatedBy: String(row.sys_updated_by ?? ""), updatedOn: String(row.sys_updated_on ?? "") };
}

/** Inserts a record whose values were already checked against the dictionary; returns it whole. A sys_id given that is taken is a 400. */
export async function insertRecord(db: Kysely<Database>, table: TableDef, values: Record<string, StoredValue>, author: Author, sysId?: string): Promise<Row> {
  const { actor } = author;
  let row: Row = { ...values, ...(sysId ? { sys_id: sysId } : {}) };
  return rethrowConstraint(() => ({ table, values: row }), () =>
    db.transaction().execute(async (trx) => {
      await assertReferencesExist(trx, table, values, author);
      row = { ...withCalculatedFields(table, values), ...newSystemFields(actor), ...(sysId ? { sys_id: sysId } : {}) };
      if (table.numbering) row[table.numbering.field] = await nextNumber(trx, table);
      await dynamic(trx).insertInto(table.name).values(row).execute();
      const entries: AuditEntry[] = Object.entries(row)
        .filter(([k, v]) => !k.startsWith("sys_") && auditValue(fieldOf(table, k), v) !== "")
        .map(([k, v]) => ({ tablename: table.name, documentkey: row.sys_id as string, fieldname: k, newvalue: auditValue(fieldOf(table, k), v), user: actor, reason: "created" }));
      await writeAudit(trx, entries);
      return row;
    }),
  );
}

/**
 * Applies changes; undefined when there is no such record. Unchanged values write nothing. With
 * `expected`, only to a record still at one of those versions (StaleRecordError otherwise).
 */
export async function updateRecord(db: Kysely<Database>, table: TableDef, sysId: string, given: Record<string, StoredValue>, author: Author, expected?: ExpectedVersions): Promise<Row | undefined> {
  const { actor } = author;
  let values: Record<string, StoredValue> = given;
  return rethrowConstraint(() => ({ table, values }), () =>
    db.transaction().execute(async (trx) => {
      let read = dynamic(trx).selectFrom(table.name).selectAll().where("sys_id", "=", sysId);
      // PostgreSQL: held until commit, so the audit's old values are the ones this edit replaces.
      if (!onSqlite(trx)) read = read.forNoKeyUpdate();
      const current = await read.executeTakeFirst();
      if (!current) return undefined;
      assertVersion(versionOf(current), expected);
      // Calculated from the stored record: a new last_name alone still names the user "first last".
      values = withCalculatedFields(table, given, current);
      const changed = Object.keys(values).filter((k) => auditValue(fieldOf(table, k), current[k]) !== auditValue(fieldOf(table, k), values[k]));
      if (changed.length === 0) return current as Row;
      const changes = Object.fromEntries(changed.map((k) => [k, values[k]!]));
      await assertReferencesExist(trx, table, changes, author);
      const now = Date.now();
      const set = { ...changes, sys_updated_on: glideDateTime(now), sys_updated_by: actor, sys_mod_count: sql`sys_mod_count + 1` };
      await withAccountRules(trx, { table, sysId, before: current, changes, actor, now }, () => dynamic(trx).updateTable(table.name).set(set).where("sys_id", "=", sysId).execute());
      await writeAudit(trx, changed.map((k) => ({ tablename: table.name, documentkey: sysId, fieldname: k, oldvalue: auditValue(fieldOf(table, k), current[k]), newvalue: auditValue(fieldOf(table, k), values[k]), user: actor })), now);
      return (await dynamic(trx).selectFrom(table.name).selectAll().where("sys_id", "=", sysId).executeTakeFirst()) as Row;
    }),
  );
}

/** Deletes a record; false when there is none. With `expected`, only one still at one of those versions. */
export async function deleteRecord(db: Kysely<Database>, table: TableDef, sysId: string, actor: string, expected?: ExpectedVersions): Promise<boolean> {
  return rethrowConstraint(() => ({ table, values: {} }), () =>
    db.transaction().execute(async (trx) => {
      let read = dynamic(trx).selectFrom(table.name).selectAll().where("sys_id", "=", sysId);
      if (!onSqlite(trx)) read = read.forNoKeyUpdate();
      const current = await read.executeTakeFirst();
      if (!current) return false;
      assertVersion(versionOf(current), expected);
      const now = Date.now();
      await withAccountRules(trx, { table, sysId, before: current, changes: undefined, actor, now }, () => dynamic(trx).deleteFrom(table.name).where("sys_id", "=", sysId).execute());
      await deleteAttachmentsOf(trx, table.name, sysId);
      await writeAudit(trx, [{ tablename: table.name, documentkey: sysId, fieldname: table.displayField, oldvalue: auditValue(fieldOf(table, table.displayField), current[table.displayField]), user: actor, reason: "deleted" }]);
      return true;
    }),
  );
}

/**
 * Up to two records whose display field equals the value, enough to tell unique from ambiguous:
 * matched as `=` matches in a query, so text without regard to case ("ada lovelace" is Ada
 * Lovelace), through the same lower() indexes. A display field that is not text (a reference,
 * a number) is compared as stored, where a query's `=` would refuse a name as no value of it.
 */
export async function findByDisplayValue(db: Db, table: TableDef, value: string): Promise<string[]> {
  const field = fieldOf(table, table.displayField);
  const equal = field && isCaselessText(field) ? whereOf(table, { queries: [[[{ field: field.name, operator: "=", value }]]], orderBy: [] })! : (eb: ExpressionBuilder<any, any>) => eb(table.displayField, "=", value);
  const rows = await dynamic(db).selectFrom(table.name).select("sys_id").where(equal).limit(2).execute();
  return rows.map((r) => r.sys_id as string);
}
