import type { Kysely } from "kysely";
import { newTokenValue, tokenLookupKey } from "../domain/token-value.ts";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import type { Database, OAuthAuthCodeTable } from "./schema.ts";
import { precompiled } from "./precompiled-query.ts";

export interface NewCode {
  clientSysId: string;
  userSysId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  lifespanSeconds: number;
}

/** Stores an authorization code's hash and returns the code, which is only ever sent to the client. */
export async function createAuthCode(db: Kysely<Database>, input: NewCode, now = Date.now()): Promise<string> {
  const sysId = newSysId(now);
  const code = newTokenValue(sysId);
  await db
    .insertInto("oauth_auth_code")
    .values({
      sys_id: sysId,
      code_hash: tokenLookupKey(code),
      client: input.clientSysId,
      user: input.userSysId,
      redirect_uri: input.redirectUri,
      scope: input.scope,
      code_challenge: input.codeChallenge,
      family: newSysId(),
      expires_at: now + input.lifespanSeconds * 1000,
      consumed_at: null,
      sys_created_on: glideDateTime(now),
    })
    .execute();
  return code;
}

const codeByKey = precompiled((db: Kysely<Database>, key: string) => db.selectFrom("oauth_auth_code").selectAll().where("code_hash", "=", key));
const consumeCode = precompiled((db: Kysely<Database>, sysId: string, now: number) => db.updateTable("oauth_auth_code").set({ consumed_at: now }).where("sys_id", "=", sysId).where("consumed_at", "is", null));

export async function findAuthCode(db: Kysely<Database>, code: string): Promise<OAuthAuthCodeTable | undefined> {
  return (await codeByKey(db, tokenLookupKey(code))).rows[0];
}

/** Single use: the conditional update decides the one winner among concurrent redemptions. */
export async function consumeAuthCode(db: Kysely<Database>, sysId: string, now = Date.now()): Promise<boolean> {
  const result = await consumeCode(db, sysId, now);
  return Number(result.numAffectedRows) === 1;
}
