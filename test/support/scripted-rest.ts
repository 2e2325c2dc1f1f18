import assert from "node:assert/strict";
import type { TestInstance } from "./instance.ts";
import { api, type ApiUser } from "./table-api.ts";

/** A Scripted REST API made through the Table API, as an admin would. */
export interface ResourceInput {
  name?: string;
  http_method: string;
  relative_path: string;
  operation_script: string;
  requires_authentication?: boolean;
  roles_required?: string;
}

export async function defineApi(server: TestInstance, admin: ApiUser, namespace: string, serviceId: string, resources: ResourceInput[]): Promise<{ definition: string; operations: string[] }> {
  const def = await api(server, "POST", "/api/now/table/sys_ws_definition", { token: admin.token, body: { name: `${namespace} ${serviceId}`, namespace, service_id: serviceId } });
  assert.equal(def.status, 201, def.text);
  const operations: string[] = [];
  for (const [i, r] of resources.entries()) {
    const op = await api(server, "POST", "/api/now/table/sys_ws_operation", {
      token: admin.token,
      body: { name: r.name ?? `resource ${i}`, web_service_definition: def.body.result.sys_id, requires_authentication: r.requires_authentication ?? true, roles_required: r.roles_required ?? "", http_method: r.http_method, relative_path: r.relative_path, operation_script: r.operation_script },
    });
    assert.equal(op.status, 201, op.text);
    operations.push(op.body.result.sys_id);
  }
  return { definition: def.body.result.sys_id, operations };
}
