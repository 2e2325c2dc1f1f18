import type { Kysely } from "kysely";
import { tokenLookupKey } from "../domain/token-value.ts";
import { precompiled } from "./precompiled-query.ts";
import type { Database } from "./schema.ts";
import type { StoredToken } from "./token-store.ts";

/** What RFC 7662 introspection answers about a token: its state, and its user as they are now. */
export interface IntrospectedToken {
  token: Pick<StoredToken, "type" | "client" | "user" | "scope" | "expires_at" | "revoked_at" | "rotated_at" | "sys_created_on">;
  /** Null for a client-only token, or when the token's user is gone. */
  user: { sysId: string; userName: string; active: boolean } | null;
}

/** Token and user in one query, and only the columns the answer uses (see bearer-store.ts for why). */
const introspectionQuery = precompiled((db: Kysely<Database>, key: string) =>
  db
    .selectFrom("oauth_credential as t")
    .leftJoin("sys_user as u", "u.sys_id", "t.user")
    .select(["t.type", "t.client", "t.user", "t.scope", "t.expires_at", "t.revoked_at", "t.rotated_at", "t.sys_created_on", "u.user_name", "u.active as user_active"])
    .where("t.token_hash", "=", key),
);

export async function introspectToken(db: Kysely<Database>, token: string): Promise<IntrospectedToken | undefined> {
  const row = (await introspectionQuery(db, tokenLookupKey(token))).rows[0];
  if (!row) return undefined;
  const { type, client, user, scope, expires_at, revoked_at, rotated_at, sys_created_on } = row;
  return {
    token: { type, client, user, scope, expires_at, revoked_at, rotated_at, sys_created_on },
    user: user === null || row.user_name === null ? null : { sysId: user, userName: row.user_name, active: row.user_active === 1 },
  };
}
