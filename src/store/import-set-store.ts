import { type Kysely, sql, type Transaction } from "kysely";
import type { StoredValue, TableDef } from "../domain/dictionary.ts";
import type { ImportRowState } from "../domain/import-set-tables.ts";
import { sysImportSet } from "../domain/import-set-tables.ts";
import { glideDateTime } from "../domain/sys-id.ts";
import { writeAudit } from "./audit-store.ts";
import type { Database, SysImportSetTable } from "./schema.ts";
import { newSystemFields } from "./system-fields.ts";
import { nextNumber, type Row } from "./table-record-store.ts";

/**
 * Import sets and the rows of staging tables. Staging table names come from the dictionary
 * (a sys_db_object record that passed the u_ rule), never from a request as such.
 */
type Db = Kysely<Database> | Transaction<Database>;
const dynamic = (db: Db) => db as unknown as Kysely<any>;

export type ImportSet = SysImportSetTable;
export type Tally = Record<Exclude<ImportRowState, "pending">, number>;
export const emptyTally = (): Tally => ({ inserted: 0, updated: 0, ignored: 0, error: 0 });

export interface Loader {
  userSysId: string;
  userName: string;
  scope: string;
}

export interface TransformMap {
  sysId: string;
  name: string;
  targetTable: string;
  entries: { source: string; target: string; coalesce: boolean; caseSensitive: boolean }[];
}

/** Active maps of a staging table in run order, each with its field maps. */
export async function activeTransformMaps(db: Db, stagingTable: string): Promise<TransformMap[]> {
  const maps = await db.selectFrom("sys_transform_map").selectAll().where("source_table", "=", stagingTable).where("active", "=", 1).orderBy("order").orderBy("name").orderBy("sys_id").execute();
  if (maps.length === 0) return [];
  const entries = await db.selectFrom("sys_transform_entry").selectAll().where("map", "in", maps.map((m) => m.sys_id)).orderBy("sys_id").execute();
  return maps.map((m) => ({
    sysId: m.sys_id,
    name: m.name,
    targetTable: m.target_table,
    entries: entries.filter((e) => e.map === m.sys_id).map((e) => ({ source: e.source_field, target: e.target_field, coalesce: e.coalesce === 1, caseSensitive: e.coalesce_case_sensitive === 1 })),
  }));
}

async function newImportSet(trx: Transaction<Database>, staging: TableDef, loader: Loader, mode: ImportSet["mode"], rowCount: number, now: number): Promise<ImportSet> {
  const set: ImportSet = {
    ...newSystemFields(loader.userName, now),
    number: await nextNumber(trx, sysImportSet),
    table_name: staging.name,
    state: mode === "synchronous" ? "loading" : "loaded",
    mode,
    state_comment: "",
    run_as: loader.userSysId,
    run_as_scope: loader.scope,
    row_count: rowCount,
    processed_count: 0,
    inserted_count: 0,
    updated_count: 0,
    ignored_count: 0,
    error_count: 0,
  };
  await trx.insertInto("sys_import_set").values(set).execute();
  await writeAudit(trx, [{ tablename: "sys_import_set", documentkey: set.sys_id, fieldname: "number", newvalue: set.number, user: loader.userName, reason: "created" }], now);
  return set;
}

function stagingRows(staging: TableDef, set: ImportSet, rows: readonly Record<string, StoredValue>[], firstRow: number, actor: string, now: number): Row[] {
  return rows.map((values, i) => ({ ...values, ...newSystemFields(actor, now), sys_import_set: set.sys_id, sys_import_row: firstRow + i, sys_import_state: "pending" }));
}

/** Rows per INSERT statement, under both dialects' limits on bound parameters. */
function chunkSize(columns: number): number {
  return Math.max(1, Math.min(500, Math.floor(30_000 / Math.max(columns, 1))));
}

/** insertMultiple: the set and all its rows, or nothing, stamped at `now` (the instance's clock, as a single row's set is). */
export async function loadImportSet(db: Kysely<Database>, staging: TableDef, loader: Loader, rows: readonly Record<string, StoredValue>[], now: number): Promise<ImportSet> {
  return db.transaction().execute(async (trx) => {
    const set = await newImportSet(trx, staging, loader, "asynchronous", rows.length, now);
    const size = chunkSize(Object.keys(rows[0] ?? {}).length + 10);
    for (let start = 0; start < rows.length; start += size) {
      await dynamic(trx).insertInto(staging.name).values(stagingRows(staging, set, rows.slice(start, start + size), start + 1, loader.userName, now)).execute();
    }
    return set;
  });
}

/** The last midnight (UTC, the zone every stored date is in) at or before `now`, as sys_created_on writes it. */
function lastMidnight(now: number): string {
  return `${glideDateTime(now).slice(0, 10)} 00:00:00`;
}

/**
 * Synchronous sets opened before the last midnight become "processed", as the platform
 * changes its synchronous sets at midnight. Their counters are kept row by row already.
 * `of` limits it to one loader's sets of one staging table.
 */
export async function closeSynchronousSets(db: Db, options: { now: number; of?: { table: string; userSysId: string } }): Promise<number> {
  const { now, of } = options;
  let close = db
    .updateTable("sys_import_set")
    .set({ state: "processed", sys_updated_on: glideDateTime(now) })
    .where("mode", "=", "synchronous")
    .where("state", "=", "loading")
    .where("sys_created_on", "<", lastMidnight(now));
  if (of) close = close.where("table_name", "=", of.table).where("run_as", "=", of.userSysId);
  const result = await close.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * A single-row insert joins this loader's open synchronous set of the staging table, opened
 * since the last midnight, as on the platform, where such rows gather in a set that stays
 * "loading" until midnight. One set per loader, not per table as there: a set runs as its loader.
 * `now` (the instance's clock, which tests fix) decides the day, and stamps a set it opens.
 */
export async function insertSynchronousRow(db: Kysely<Database>, staging: TableDef, loader: Loader, values: Record<string, StoredValue>, now: number): Promise<{ set: ImportSet; row: Row }> {
  return db.transaction().execute(async (trx) => {
    // Housekeeping closes yesterday's sets too, but may not have run yet, or runs on another node.
    await closeSynchronousSets(trx, { now, of: { table: staging.name, userSysId: loader.userSysId } });
    const open = await trx
      .selectFrom("sys_import_set")
      .selectAll()
      .where("table_name", "=", staging.name)
      .where("mode", "=", "synchronous")
      .where("state", "=", "loading")
      .where("run_as", "=", loader.userSysId)
      .orderBy("sys_created_on", "desc")
      .executeTakeFirst();
    const set = open ?? (await newImportSet(trx, staging, loader, "synchronous", 0, now));
    const updated = await trx.updateTable("sys_import_set").set({ row_count: sql`row_count + 1` }).where("sys_id", "=", set.sys_id).returning("row_count").executeTakeFirstOrThrow();
    const [row] = stagingRows(staging, set, [values], Number(updated.row_count), loader.userName, now);
    await dynamic(trx).insertInto(staging.name).values(row!).execute();
    return { set, row: row! };
  });
}

export interface RowOutcome {
  state: Exclude<ImportRowState, "pending">;
  comment: string;
  targetTable: string;
  targetSysId: string | null;
  transformMap: string | null;
}

/**
 * The progress stamps below (sys_updated_on) take `now` from the instance's clock, as a set's
 * creation does, so a fixed clock (tests) puts a set's whole life on one day.
 */
export async function recordRowOutcome(db: Db, staging: TableDef, rowSysId: string, outcome: RowOutcome, now: number): Promise<void> {
  await dynamic(db)
    .updateTable(staging.name)
    .set({
      sys_import_state: outcome.state,
      sys_import_state_comment: outcome.comment.slice(0, 4000),
      sys_target_table: outcome.targetTable,
      sys_target_sys_id: outcome.targetSysId,
      sys_transform_map: outcome.transformMap,
      sys_updated_on: glideDateTime(now),
      sys_mod_count: sql`sys_mod_count + 1`,
    })
    .where("sys_id", "=", rowSysId)
    .execute();
}

/** A batch's outcomes and the set's counters in one transaction: one commit instead of one per row. */
export async function recordBatchOutcomes(db: Kysely<Database>, staging: TableDef, setSysId: string, outcomes: readonly { rowSysId: string; outcome: RowOutcome }[], now: number): Promise<void> {
  const tally = emptyTally();
  for (const { outcome } of outcomes) tally[outcome.state]++;
  await db.transaction().execute(async (trx) => {
    for (const { rowSysId, outcome } of outcomes) await recordRowOutcome(trx, staging, rowSysId, outcome, now);
    await addToTally(trx, setSysId, tally, now);
  });
}

/** Adds a batch's outcomes to the set's counters (the final recount makes them exact). */
export async function addToTally(db: Db, setSysId: string, tally: Tally, now: number): Promise<void> {
  const processed = tally.inserted + tally.updated + tally.ignored + tally.error;
  if (processed === 0) return;
  await db
    .updateTable("sys_import_set")
    .set({
      processed_count: sql`processed_count + ${processed}`,
      inserted_count: sql`inserted_count + ${tally.inserted}`,
      updated_count: sql`updated_count + ${tally.updated}`,
      ignored_count: sql`ignored_count + ${tally.ignored}`,
      error_count: sql`error_count + ${tally.error}`,
      sys_updated_on: glideDateTime(now),
    })
    .where("sys_id", "=", setSysId)
    .execute();
}

/** The next rows of a set still to transform, in row order; a batch at a time. */
export async function pendingRows(db: Db, staging: TableDef, setSysId: string, limit: number): Promise<Row[]> {
  return dynamic(db).selectFrom(staging.name).selectAll().where("sys_import_set", "=", setSysId).where("sys_import_state", "=", "pending").orderBy("sys_import_row").limit(limit).execute();
}

/** The oldest set the background job has yet to finish. */
export async function nextUnfinishedSet(db: Db): Promise<ImportSet | undefined> {
  return db.selectFrom("sys_import_set").selectAll().where("state", "in", ["loaded", "processing"]).where("mode", "=", "asynchronous").orderBy("sys_created_on").orderBy("sys_id").executeTakeFirst();
}

export async function findImportSet(db: Db, sysId: string): Promise<ImportSet | undefined> {
  return db.selectFrom("sys_import_set").selectAll().where("sys_id", "=", sysId).executeTakeFirst();
}

export async function setImportSetState(db: Db, sysId: string, change: { state: ImportSet["state"]; comment?: string; now: number }): Promise<void> {
  await db.updateTable("sys_import_set").set({ state: change.state, state_comment: change.comment ?? "", sys_updated_on: glideDateTime(change.now) }).where("sys_id", "=", sysId).execute();
}

/** Counts every row of the set by state, so the finished set's numbers are exact even after a node died mid-batch. */
export async function finishImportSet(db: Db, staging: TableDef, setSysId: string, now: number): Promise<void> {
  const rows = await dynamic(db)
    .selectFrom(staging.name)
    .select(["sys_import_state", (eb) => eb.fn.countAll().as("n")])
    .where("sys_import_set", "=", setSysId)
    .groupBy("sys_import_state")
    .execute();
  const count = (state: string) => Number(rows.find((r) => r.sys_import_state === state)?.n ?? 0);
  const tally: Tally = { inserted: count("inserted"), updated: count("updated"), ignored: count("ignored"), error: count("error") };
  await db
    .updateTable("sys_import_set")
    .set({
      state: "processed",
      processed_count: tally.inserted + tally.updated + tally.ignored + tally.error,
      inserted_count: tally.inserted,
      updated_count: tally.updated,
      ignored_count: tally.ignored,
      error_count: tally.error,
      sys_updated_on: glideDateTime(now),
    })
    .where("sys_id", "=", setSysId)
    .execute();
}
