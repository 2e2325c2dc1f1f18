import { createHash } from "node:crypto";
import type { Store } from "../../src/store/database.ts";

/** A fingerprint of everything a request could change (rate-limit counters aside). */
export async function storedDataDigest(store: Store): Promise<string> {
  const hash = createHash("sha256");
  for (const table of ["sys_user", "sys_user_role", "sys_user_has_role", "oauth_entity", "oauth_credential", "oauth_auth_code", "login_session", "sys_audit", "incident", "sys_db_object", "sys_dictionary"] as const) {
    const rows = await store.db.selectFrom(table).selectAll().orderBy("sys_id").execute();
    hash.update(`${table}:${JSON.stringify(rows)}\n`);
  }
  return hash.digest("hex");
}
