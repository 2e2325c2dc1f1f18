import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestInstance } from "./instance.ts";
import { api } from "./table-api.ts";

/**
 * A staging table u_imp_person (any user may load it) and its map to u_person, a target only
 * holders of the role "hr" may create or change, coalescing on the e-mail address.
 */
export async function definePersonImport(server: TestInstance, adminToken: string): Promise<{ mapSysId: string }> {
  const post = async (table: string, body: Record<string, unknown>) => {
    const res = await api(server, "POST", `/api/now/table/${table}`, { token: adminToken, body });
    assert.equal(res.status, 201, `${table} ${JSON.stringify(body)}: ${res.text}`);
    return res.body.result.sys_id as string;
  };
  await post("sys_db_object", { name: "u_person", label: "Person", create_roles: "hr", write_roles: "hr" });
  await post("sys_dictionary", { name: "u_person", element: "u_name", internal_type: "string", max_length: 40, mandatory: "true" });
  await post("sys_dictionary", { name: "u_person", element: "u_email", internal_type: "string" });
  await post("sys_dictionary", { name: "u_person", element: "u_age", internal_type: "integer" });
  await post("sys_db_object", { name: "u_imp_person", label: "Person import", super_class: "sys_import_set_row" });
  for (const element of ["u_name", "u_email", "u_age"]) await post("sys_dictionary", { name: "u_imp_person", element, internal_type: "string" });
  const mapSysId = await post("sys_transform_map", { name: "Person", source_table: "u_imp_person", target_table: "u_person" });
  await post("sys_transform_entry", { map: mapSysId, source_field: "u_email", target_field: "u_email", coalesce: true });
  await post("sys_transform_entry", { map: mapSysId, source_field: "u_name", target_field: "u_name" });
  await post("sys_transform_entry", { map: mapSysId, source_field: "u_age", target_field: "u_age" });
  return { mapSysId };
}

/** Follows an insertMultiple set through GET /api/now/import until its job has finished. */
export async function waitForProcessed(server: TestInstance, token: string, staging: string, setSysId: string, onProgress?: (body: any) => void): Promise<any> {
  for (;;) {
    const res = await api(server, "GET", `/api/now/import/${staging}/${setSysId}`, { token });
    assert.equal(res.status, 200, res.text);
    onProgress?.(res.body);
    if (res.body.state === "processed" || res.body.state === "error") return res.body;
    await sleep(50);
  }
}

export async function countRows(server: TestInstance, table: string): Promise<number> {
  const row = await (server.instance.store.db as any).selectFrom(table).select((eb: any) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}
