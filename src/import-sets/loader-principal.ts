import type { Kysely } from "kysely";
import type { ApiPrincipal } from "../http/table-api/api-principal.ts";
import type { ImportSet } from "../store/import-set-store.ts";
import type { Database } from "../store/schema.ts";
import { findUserById, rolesOf } from "../store/user-store.ts";

/**
 * Who a background transform acts as: the user who loaded the set, with the roles they hold
 * now (roles are read at use, as for a token) and the scope of the request that loaded it.
 */
export async function loaderPrincipal(db: Kysely<Database>, set: ImportSet): Promise<ApiPrincipal | undefined> {
  const user = await findUserById(db, set.run_as);
  if (!user || !user.active) return undefined;
  return { user, roles: await rolesOf(db, user.sysId), scope: set.run_as_scope };
}
