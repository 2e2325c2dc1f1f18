import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import type { SystemFields } from "./schema.ts";

/** The platform's bookkeeping columns for a new record. */
export function newSystemFields(actor: string, now = Date.now()): SystemFields {
  const stamp = glideDateTime(now);
  return { sys_id: newSysId(), sys_created_on: stamp, sys_created_by: actor, sys_updated_on: stamp, sys_updated_by: actor, sys_mod_count: 0 };
}

export const bit = (value: boolean): number => (value ? 1 : 0);
