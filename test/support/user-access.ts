import assert from "node:assert/strict";
import type { Kysely } from "kysely";
import type { Database } from "../../src/store/schema.ts";
import { basic, http, postForm, type RegisteredClient } from "./oauth.ts";

/** What a user signed in with through the password grant: the tokens a password change or deactivation must end. */
export interface GrantedTokens {
  access_token: string;
  refresh_token: string;
}

export async function passwordGrant(base: string, client: RegisteredClient, username: string, password: string): Promise<GrantedTokens> {
  const res = await postForm(`${base}/oauth_token.do`, { grant_type: "password", username, password }, { authorization: basic(client.clientId, client.secret) });
  assert.equal(res.status, 200, res.text);
  return res.body as GrantedTokens;
}

/** The status /api/now/v1/whoami answers an access token with: 200 while it opens the APIs, 401 once it does not. */
export async function whoamiStatus(base: string, accessToken: string): Promise<number> {
  return (await http(`${base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } })).status;
}

/** The token endpoint's error for a refresh (undefined when it issued new tokens). */
export async function refreshError(base: string, client: RegisteredClient, refreshToken: string): Promise<string | undefined> {
  const res = await postForm(`${base}/oauth_token.do`, { grant_type: "refresh_token", refresh_token: refreshToken }, { authorization: basic(client.clientId, client.secret) });
  return res.status === 200 ? undefined : String(res.body.error);
}

export async function sessionCount(db: Kysely<Database>, userSysId: string): Promise<number> {
  return (await db.selectFrom("login_session").select("sys_id").where("user", "=", userSysId).execute()).length;
}

export async function liveTokenCount(db: Kysely<Database>, userSysId: string): Promise<number> {
  return (await db.selectFrom("oauth_credential").select("sys_id").where("user", "=", userSysId).where("revoked_at", "is", null).execute()).length;
}

/** The reasons the audit gives for revoking a user's tokens, oldest first. */
export async function revocationReasons(db: Kysely<Database>, userSysId: string): Promise<string[]> {
  const rows = await db.selectFrom("sys_audit").select(["reason", "created_at"]).where("tablename", "=", "oauth_credential").where("documentkey", "=", userSysId).where("fieldname", "=", "revoked_at").orderBy("created_at").execute();
  return rows.map((row) => row.reason);
}
