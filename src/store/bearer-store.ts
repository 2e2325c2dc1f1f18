import type { Kysely } from "kysely";
import type { OAuthClient } from "../domain/oauth-entity.ts";
import { tokenLookupKey } from "../domain/token-value.ts";
import { BearerGrantCache } from "./bearer-grant-cache.ts";
import { precompiled } from "./precompiled-query.ts";
import type { Database } from "./schema.ts";
import { readerOf } from "./sqlite-reader.ts";
import type { StoredToken } from "./token-store.ts";
import type { Actor } from "./user-store.ts";

/** A presented token with everything the bearer check decides on: its client, its user and the user's roles now. */
export interface BearerGrant {
  token: Pick<StoredToken, "type" | "user" | "scope" | "expires_at" | "revoked_at" | "rotated_at">;
  client: Pick<OAuthClient, "sysId" | "clientId" | "name" | "active">;
  user: Actor | null;
  roles: string[];
}

/**
 * The bearer check in one query: token, client, user and roles joined (one row per role), and
 * only the columns the check and the Principal use. Four round trips on every API call would
 * cost more than the API call itself, and every column read is a string made per row: all 53
 * columns of the three records took 60 % of the query's time.
 */
const bearerQuery = precompiled((db: Kysely<Database>, key: string) =>
  db
    .selectFrom("oauth_credential as t")
    .innerJoin("oauth_entity as e", "e.sys_id", "t.client")
    .leftJoin("sys_user as u", "u.sys_id", "t.user")
    .leftJoin("sys_user_has_role as hr", "hr.user", "u.sys_id")
    .leftJoin("sys_user_role as r", "r.sys_id", "hr.role")
    .select(["t.type", "t.user", "t.scope", "t.expires_at", "t.revoked_at", "t.rotated_at"])
    .select(["e.sys_id as client_sys_id", "e.client_id", "e.name as client_name", "e.active as client_active"])
    .select(["u.user_name", "u.name as user_display_name", "u.active as user_active", "r.name as role_name"])
    .where("t.token_hash", "=", key)
    .where("e.type", "=", "client"),
);

type BearerRow = Awaited<ReturnType<typeof bearerQuery>>["rows"][number];

/** One grant from the query's rows (one per role), frozen: a kept grant is shared by the requests that present its token. */
function grantOf(rows: BearerRow[]): BearerGrant | undefined {
  const first = rows[0];
  if (!first) return undefined;
  const { type, user, scope, expires_at, revoked_at, rotated_at } = first;
  const client = Object.freeze({ sysId: first.client_sys_id, clientId: first.client_id, name: first.client_name, active: first.client_active === 1 });
  // A token whose user row is gone reads as having no user, and the check refuses it.
  const actor = user === null || first.user_name === null ? null : Object.freeze({ sysId: user, userName: first.user_name, name: first.user_display_name ?? "", active: first.user_active === 1 });
  const roles = Object.freeze([...new Set(rows.map((r) => r.role_name).filter((n): n is string => typeof n === "string"))].sort()) as string[];
  return Object.freeze({ token: Object.freeze({ type, user, scope, expires_at, revoked_at, rotated_at }), client, user: actor, roles });
}

const caches = new WeakMap<Kysely<Database>, BearerGrantCache<BearerGrant>>();

export async function findBearerGrant(db: Kysely<Database>, token: string): Promise<BearerGrant | undefined> {
  const key = tokenLookupKey(token);
  const reader = readerOf(db);
  if (!reader) return grantOf((await bearerQuery(db, key)).rows);
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new BearerGrantCache(reader)));
  return cache.get(key, () => grantOf(bearerQuery.read(db, reader, key)));
}
