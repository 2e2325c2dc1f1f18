import type { Kysely } from "kysely";
import type { Database, SysWsDefinitionTable, SysWsOperationTable } from "./schema.ts";

/**
 * The active resources of an API, read on every request: one indexed query, so a change made
 * on any node is live on every node at its next request, with no cache to invalidate.
 */
export interface ApiResources {
  definition: Pick<SysWsDefinitionTable, "sys_id" | "name" | "base_uri">;
  operations: Pick<SysWsOperationTable, "sys_id" | "name" | "http_method" | "relative_path" | "operation_script" | "requires_authentication" | "roles_required">[];
}

export async function findApiResources(db: Kysely<Database>, baseUri: string): Promise<ApiResources | undefined> {
  const rows = await db
    .selectFrom("sys_ws_definition as d")
    .leftJoin("sys_ws_operation as o", (join) => join.onRef("o.web_service_definition", "=", "d.sys_id").on("o.active", "=", 1))
    .select(["d.sys_id as d_sys_id", "d.name as d_name", "d.base_uri", "o.sys_id", "o.name", "o.http_method", "o.relative_path", "o.operation_script", "o.requires_authentication", "o.roles_required"])
    .where("d.base_uri", "=", baseUri)
    .where("d.active", "=", 1)
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  return {
    definition: { sys_id: first.d_sys_id, name: first.d_name, base_uri: first.base_uri },
    operations: rows
      .filter((r) => r.sys_id !== null)
      .map((r) => ({
        sys_id: r.sys_id!,
        name: r.name!,
        http_method: r.http_method!,
        relative_path: r.relative_path!,
        operation_script: r.operation_script!,
        requires_authentication: Number(r.requires_authentication),
        roles_required: r.roles_required!,
      })),
  };
}
