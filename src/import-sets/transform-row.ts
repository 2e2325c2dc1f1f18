import type { Kysely } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import { type Condition, QueryError } from "../domain/encoded-query.ts";
import { transformTargetProblem } from "../domain/import-set-tables.ts";
import { ValidationError } from "../domain/validation.ts";
import { mayDo, requireAccess } from "../http/table-api/acl.ts";
import type { ApiPrincipal } from "../http/table-api/api-principal.ts";
import { genericWriter } from "../http/table-api/record-writers.ts";
import { OAuthError } from "../http/oauth/oauth-error.ts";
import { parseRecordInput } from "../domain/record-input.ts";
import { findTableDef } from "../store/dictionary-store.ts";
import { activeTransformMaps, type RowOutcome, type TransformMap } from "../store/import-set-store.ts";
import type { Database } from "../store/schema.ts";
import { getRecord, listRecords, type Row } from "../store/table-record-store.ts";

/**
 * Runs a staging row through each active transform map, as the user who loaded it: the
 * target record is found by the coalesce fields, then created or updated through the Table
 * API's own writer (dictionary validation, audit) after the Table API's ACL check. A row that
 * fails one map is an error for that map only and changes nothing in its target.
 */
export interface TransformContext {
  db: Kysely<Database>;
  principal: ApiPrincipal;
  publicUrl: string;
  /** The synchronous API answers with the target's display value; the background job has no one to tell. */
  describe: boolean;
}

/** A map with its target table resolved once per request or batch; undefined when it no longer exists. */
export type PlannedMap = TransformMap & { target: TableDef | undefined };

export async function planTransform(db: Kysely<Database>, stagingTable: string): Promise<PlannedMap[]> {
  const maps = await activeTransformMaps(db, stagingTable);
  return Promise.all(maps.map(async (map) => ({ ...map, target: await findTableDef(db, map.targetTable) })));
}

/** One element of the platform's "result" list. */
export interface TransformResult {
  transform_map: string;
  table: string;
  display_name: string;
  display_value: string;
  record_link: string;
  status: "inserted" | "updated" | "ignored" | "error";
  sys_id: string;
  status_message?: string;
  error_message?: string;
}

const asText = (value: unknown) => (value === null || value === undefined ? "" : String(value));

/** Client-side mistakes become the row's error; anything else (the database gone) is thrown. */
function reasonOf(error: unknown): string | undefined {
  if (error instanceof ValidationError || error instanceof QueryError) return error.message;
  if (error instanceof OAuthError) return error.description;
  return undefined;
}

async function findMatches(context: TransformContext, target: TableDef, keys: Condition[]): Promise<string[]> {
  requireAccess(context.principal, target, "read");
  const { rows } = await listRecords(context.db, { table: target, columns: ["sys_id"], query: { queries: [keys.map((k) => [k])], orderBy: [] }, limit: 2, offset: 0, count: false });
  return rows.map((r) => r.sys_id as string);
}

async function applyMap(context: TransformContext, map: PlannedMap, row: Row, rowSysId: string): Promise<TransformResult> {
  const target = map.target;
  const base = { transform_map: map.name, table: map.targetTable, display_name: target?.displayField ?? "", display_value: "", record_link: "" };
  const ignored = (message: string): TransformResult => ({ ...base, status: "ignored", sys_id: rowSysId, status_message: message });
  if (!target) return { ...base, status: "error", sys_id: rowSysId, error_message: `the target table ${map.targetTable} no longer exists` };
  // Checked when the map was saved; checked again for a map written to the database directly, which would skip that table's own writer.
  const refused = transformTargetProblem(target);
  if (refused) return { ...base, status: "error", sys_id: rowSysId, error_message: refused };
  // As on the platform, an empty source value leaves the target field alone.
  const body: Record<string, string> = {};
  for (const entry of map.entries) {
    const value = asText(row[entry.source]);
    if (value !== "") body[entry.target] = value;
  }
  const keys = map.entries.filter((e) => e.coalesce);
  const missingKey = keys.find((k) => asText(row[k.source]) === "");
  if (missingKey) return ignored(`no value for the coalesce field ${missingKey.source}`);
  if (map.entries.length === 0) return ignored(`the transform map ${map.name} has no field maps`);
  const actor = { db: context.db, actor: context.principal.user.userName, mayRead: (t: TableDef) => mayDo(context.principal, t, "read") };
  try {
    const matches = keys.length > 0 ? await findMatches(context, target, keys.map((k) => ({ field: k.target, operator: "=" as const, value: body[k.target]!, ...(k.caseSensitive ? { caseSensitive: true as const } : {}) }))) : [];
    let sysId: string;
    let status: TransformResult["status"];
    let message = "";
    if (matches.length === 0) {
      requireAccess(context.principal, target, "create");
      sysId = (await genericWriter.create(actor, target, body)).sysId;
      status = "inserted";
    } else {
      requireAccess(context.principal, target, "write");
      sysId = matches[0]!;
      // The platform updates the first match when the coalesce fields are not unique; say so.
      if (matches.length > 1) message = `more than one ${target.name} record matches the coalesce fields; updated the first, ${sysId}`;
      const values = parseRecordInput(target, body, "update");
      const current = await getRecord(context.db, target, sysId, Object.keys(values));
      if (current && Object.entries(values).every(([k, v]) => asText(current[k]) === asText(v))) {
        status = "ignored";
        message ||= "no field values changed";
      } else {
        await genericWriter.update(actor, target, sysId, body);
        status = "updated";
      }
    }
    const written = context.describe ? await getRecord(context.db, target, sysId, [target.displayField]) : undefined;
    return {
      ...base,
      display_value: asText(written?.[target.displayField]),
      record_link: `${context.publicUrl}/api/now/table/${target.name}/${sysId}`,
      status,
      sys_id: sysId,
      ...(message ? { status_message: message } : {}),
    };
  } catch (error) {
    const reason = reasonOf(error);
    if (reason === undefined) throw error;
    return { ...base, status: "error", sys_id: rowSysId, error_message: reason };
  }
}

export async function transformRow(context: TransformContext, maps: readonly PlannedMap[], row: Row, stagingTable: string): Promise<{ results: TransformResult[]; outcome: RowOutcome }> {
  const rowSysId = row.sys_id as string;
  const results: TransformResult[] = [];
  for (const map of maps) results.push(await applyMap(context, map, row, rowSysId));
  return { results, outcome: outcomeOf(results, maps, stagingTable) };
}

/** The row's own state: an error anywhere wins, then an insert, an update, and ignored last. */
function outcomeOf(results: TransformResult[], maps: readonly TransformMap[], stagingTable: string): RowOutcome {
  if (results.length === 0) return { state: "ignored", comment: `no active transform map for ${stagingTable}`, targetTable: "", targetSysId: null, transformMap: null };
  const state = (["error", "inserted", "updated", "ignored"] as const).find((s) => results.some((r) => r.status === s))!;
  const index = Math.max(0, results.findIndex((r) => r.status === "inserted" || r.status === "updated"));
  const lead = results[index]!;
  const comment = results
    .map((r) => r.error_message ?? r.status_message)
    .map((m, i) => (m ? (results.length > 1 ? `${results[i]!.transform_map}: ${m}` : m) : ""))
    .filter(Boolean)
    .join("; ");
  const wrote = lead.status === "inserted" || lead.status === "updated";
  return { state, comment, targetTable: lead.table, targetSysId: wrote ? lead.sys_id : null, transformMap: maps[index]!.sysId };
}
