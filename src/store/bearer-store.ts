import type { Kysely } from "kysely";
import type { OAuthClient } from "../domain/oauth-entity.ts";
import { tokenLookupKey } from "../domain/token-value.ts";
import { toClient } from "./oauth-entity-store.ts";
import { precompiled } from "./precompiled-query.ts";
import type { Database, OAuthCredentialTable, OAuthEntityTable, SysUserTable } from "./schema.ts";
import type { StoredToken } from "./token-store.ts";
import { toUser, type User } from "./user-store.ts";

/** A presented token with everything the bearer check decides on: its client, its user and the user's roles now. */
export interface BearerGrant {
  token: StoredToken;
  client: OAuthClient;
  user: User | null;
  roles: string[];
}

const tokenColumns: (keyof OAuthCredentialTable)[] = ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "token_hash", "type", "client", "user", "scope", "family", "code", "expires_at", "revoked_at", "rotated_at"];
const clientColumns: (keyof OAuthEntityTable)[] = ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "name", "type", "client_id", "client_secret_hash", "redirect_url", "logo_url", "public_client", "pkce_required", "allow_http_redirect", "access_token_lifespan", "refresh_token_lifespan", "grant_types", "client_credentials_user", "active", "accessible_from", "sys_scope", "comments"];
const userColumns: (keyof SysUserTable)[] = ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "user_name", "name", "email", "password_hash", "active", "failed_attempts", "locked_until"];

// Every column under a prefix, so the three records come back side by side in one row.
const selection = [
  ...tokenColumns.map((c) => `t.${c} as t_${c}`),
  ...clientColumns.map((c) => `e.${c} as e_${c}`),
  ...userColumns.map((c) => `u.${c} as u_${c}`),
  "r.name as role_name",
] as const;

/** [column, its prefixed alias] pairs, made once: concatenating them per row was a tenth of the bearer check. */
const aliases = (prefix: string, columns: readonly string[]) => columns.map((c) => [c, prefix + c] as const);
const tokenAliases = aliases("t_", tokenColumns);
const clientAliases = aliases("e_", clientColumns);
const userAliases = aliases("u_", userColumns);

function unprefix<T>(row: Record<string, unknown>, pairs: readonly (readonly [string, string])[]): T {
  const out: Record<string, unknown> = {};
  for (const [column, alias] of pairs) out[column] = row[alias];
  return out as T;
}

/**
 * The bearer check in one query: token, client, user and roles joined (one row per role).
 * Four round trips on every API call would cost more than the API call itself.
 */
const bearerQuery = precompiled((db: Kysely<Database>, key: string) =>
  db
    .selectFrom("oauth_credential as t")
    .innerJoin("oauth_entity as e", "e.sys_id", "t.client")
    .leftJoin("sys_user as u", "u.sys_id", "t.user")
    .leftJoin("sys_user_has_role as hr", "hr.user", "u.sys_id")
    .leftJoin("sys_user_role as r", "r.sys_id", "hr.role")
    .select(selection as unknown as "t.sys_id"[])
    .where("t.token_hash", "=", key)
    .where("e.type", "=", "client"),
);

export async function findBearerGrant(db: Kysely<Database>, token: string): Promise<BearerGrant | undefined> {
  const rows = (await bearerQuery(db, tokenLookupKey(token))).rows as unknown as Record<string, unknown>[];
  const first = rows[0];
  if (!first) return undefined;
  const user = first.u_sys_id === null ? null : toUser(unprefix<SysUserTable>(first, userAliases));
  const roles = [...new Set(rows.map((r) => r.role_name).filter((n): n is string => typeof n === "string"))].sort();
  return { token: unprefix<StoredToken>(first, tokenAliases), client: toClient(unprefix<OAuthEntityTable>(first, clientAliases)), user, roles };
}
