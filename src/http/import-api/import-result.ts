import type { TableDef } from "../../domain/dictionary.ts";
import type { Instance } from "../../instance.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { findImportSet } from "../../store/import-set-store.ts";
import { getRecord } from "../../store/table-record-store.ts";
import { mayDo } from "../table-api/acl.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";

/**
 * GET /api/now/import/{staging_table}/{sys_id}: a staging row and what its transform did, in
 * the shape the POST answers with; or, given an import set's sys_id (what insertMultiple
 * returns), the set's state and counts, so a loader can follow a background run.
 */
const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

async function rowResult(instance: Instance, principal: ApiPrincipal, staging: TableDef, row: Record<string, unknown>) {
  const db = instance.store.db;
  const set = row.sys_import_set ? await findImportSet(db, String(row.sys_import_set)) : undefined;
  const map = row.sys_transform_map ? await db.selectFrom("sys_transform_map").select("name").where("sys_id", "=", String(row.sys_transform_map)).executeTakeFirst() : undefined;
  const targetName = text(row.sys_target_table);
  const target = targetName ? await findTableDef(db, targetName) : undefined;
  const targetSysId = text(row.sys_target_sys_id);
  // The target's display value only for a caller who may read that table.
  const readable = target !== undefined && targetSysId !== "" && mayDo(principal, target, "read");
  const written = readable ? await getRecord(db, target, targetSysId, [target.displayField]) : undefined;
  const state = text(row.sys_import_state);
  const comment = text(row.sys_import_state_comment);
  return {
    import_set: set?.number ?? "",
    staging_table: staging.name,
    result: [
      {
        transform_map: map?.name ?? "",
        table: targetName,
        display_name: target?.displayField ?? "",
        display_value: written && target ? text(written[target.displayField]) : "",
        record_link: readable ? `${instance.config.publicUrl}/api/now/table/${targetName}/${targetSysId}` : "",
        status: state,
        sys_id: targetSysId || text(row.sys_id),
        ...(comment ? { [state === "error" ? "error_message" : "status_message"]: comment } : {}),
      },
    ],
  };
}

export async function importResultOf(instance: Instance, principal: ApiPrincipal, staging: TableDef, sysId: string): Promise<object | undefined> {
  const row = await getRecord(instance.store.db, staging, sysId, staging.fields.map((f) => f.name));
  if (row) return rowResult(instance, principal, staging, row);
  const set = await findImportSet(instance.store.db, sysId);
  if (!set || set.table_name !== staging.name) return undefined;
  return {
    import_set: set.number,
    import_set_id: set.sys_id,
    staging_table: staging.name,
    state: set.state,
    ...(set.state_comment ? { state_comment: set.state_comment } : {}),
    row_count: text(set.row_count),
    processed_count: text(set.processed_count),
    inserted_count: text(set.inserted_count),
    updated_count: text(set.updated_count),
    ignored_count: text(set.ignored_count),
    error_count: text(set.error_count),
  };
}
