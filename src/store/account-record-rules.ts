import type { Kysely } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import { type FieldIssue, issue } from "../domain/validation.ts";
import { keepingAnAdmin } from "./last-admin.ts";
import type { Database } from "./schema.ts";
import { endUserAccess } from "./user-access.ts";

/** An update or delete the generic record writer is about to make, in its transaction. */
export interface RecordChange {
  table: TableDef;
  sysId: string;
  /** The record as stored before the write. */
  before: Record<string, unknown>;
  /** The fields the update changes, with their new values; undefined for a delete. */
  changes: Record<string, unknown> | undefined;
  actor: string;
  now: number;
}

const isTrue = (value: unknown) => Number(value) === 1;

function deactivatesUser({ table, before, changes }: RecordChange): boolean {
  return table.name === "sys_user" && changes !== undefined && "active" in changes && isTrue(before.active) && !isTrue(changes.active);
}

/** The refusal a change gets if it leaves no active admin; undefined when it cannot take admin away from anyone. */
function adminAtStake(change: RecordChange): FieldIssue | undefined {
  const { table, before, changes } = change;
  const changed = (field: string) => changes !== undefined && field in changes;
  switch (table.name) {
    case "sys_user":
      if (changes === undefined) return isTrue(before.active) ? issue("", "validation.lastAdmin") : undefined;
      return deactivatesUser(change) ? issue("active", "validation.lastAdmin") : undefined;
    case "sys_user_has_role":
      if (changes === undefined) return issue("", "validation.lastAdmin");
      if (changed("role")) return issue("role", "validation.lastAdmin");
      return changed("user") ? issue("user", "validation.lastAdmin") : undefined;
    case "sys_user_role":
      if (changes === undefined) return issue("", "validation.adminRoleNeeded");
      return changed("name") ? issue("name", "validation.adminRoleNeeded") : undefined;
    default:
      return undefined;
  }
}

/**
 * Runs a generic write (the Table API, the Batch API, GlideRecord scripts, import sets) to
 * sys_user, sys_user_has_role or sys_user_role under the rules the admin UI and the CLI keep
 * through user-admin-store.ts: a user made inactive loses their sessions and live tokens in the
 * write's transaction, so making them active again brings none back; and no write may leave the
 * instance without an active admin. Writes to other tables just run.
 */
export async function withAccountRules<T>(trx: Kysely<Database>, change: RecordChange, write: () => Promise<T>): Promise<T> {
  const refusal = adminAtStake(change);
  const result = refusal ? await keepingAnAdmin(trx, refusal, write) : await write();
  if (deactivatesUser(change)) await endUserAccess(trx, change.sysId, { actor: change.actor, reason: { key: "auditReason.userDeactivated" }, now: change.now });
  return result;
}
