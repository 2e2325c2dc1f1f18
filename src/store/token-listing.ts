import type { Kysely } from "kysely";
import { NotFoundError } from "../domain/validation.ts";
import { revokeTokensOf } from "./token-store.ts";
import type { KeysetCursor } from "./keyset-cursor.ts";
import type { Database } from "./schema.ts";
import { revokeFamily, revokeOne } from "./token-store.ts";

/** An issued token as an administrator sees it: who, what, when; never the token or its hash. */
export interface TokenListing {
  sysId: string;
  type: "access_token" | "refresh_token";
  clientSysId: string;
  clientName: string;
  userName: string | null;
  scope: string;
  issuedOn: string;
  expiresAt: number;
  revokedAt: number | null;
  rotatedAt: number | null;
}

export type TokenStatus = "live" | "expired" | "revoked" | "used";

export function tokenStatus(token: TokenListing, now = Date.now()): TokenStatus {
  if (token.revokedAt !== null) return "revoked";
  if (token.type === "refresh_token" && token.rotatedAt !== null) return "used";
  return token.expiresAt > now ? "live" : "expired";
}

function tokenListings(db: Kysely<Database>) {
  return (
    db
      .selectFrom("oauth_credential")
      .innerJoin("oauth_entity", "oauth_entity.sys_id", "oauth_credential.client")
      .leftJoin("sys_user", "sys_user.sys_id", "oauth_credential.user")
      // Listed column by column so the hash can never leak through a later select-all.
      .select([
        "oauth_credential.sys_id as sysId",
        "oauth_credential.type as type",
        "oauth_credential.client as clientSysId",
        "oauth_entity.name as clientName",
        "sys_user.user_name as userName",
        "oauth_credential.scope as scope",
        "oauth_credential.sys_created_on as issuedOn",
        "oauth_credential.expires_at as expiresAt",
        "oauth_credential.revoked_at as revokedAt",
        "oauth_credential.rotated_at as rotatedAt",
      ])
  );
}

/** Newest first; `older` resumes after the last token of the page before. */
export async function listTokens(db: Kysely<Database>, filter: { clientSysId?: string; limit: number; older?: KeysetCursor<string> | undefined }): Promise<TokenListing[]> {
  let query = tokenListings(db);
  if (filter.clientSysId) query = query.where("oauth_credential.client", "=", filter.clientSysId);
  const older = filter.older;
  if (older) {
    query = query.where((eb) =>
      eb.or([eb("oauth_credential.sys_created_on", "<", older.time), eb.and([eb("oauth_credential.sys_created_on", "=", older.time), eb("oauth_credential.sys_id", ">", older.sysId)])]),
    );
  }
  return query.orderBy("oauth_credential.sys_created_on", "desc").orderBy("oauth_credential.sys_id").limit(filter.limit).execute();
}

/** One token as the list shows it (the revoke confirmation says which token it is about). */
export async function findTokenListing(db: Kysely<Database>, sysId: string): Promise<TokenListing | undefined> {
  return tokenListings(db).where("oauth_credential.sys_id", "=", sysId).executeTakeFirst();
}

/** Revokes one token for an administrator; a refresh token takes its grant's access tokens with it (RFC 7009 §2.1). */
export async function revokeTokenByAdmin(db: Kysely<Database>, sysId: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const token = await trx.selectFrom("oauth_credential").select(["sys_id", "type", "family", "revoked_at"]).where("sys_id", "=", sysId).executeTakeFirst();
    if (!token) throw new NotFoundError(`no token with sys_id "${sysId}"`);
    if (token.revoked_at !== null) return;
    if (token.type === "refresh_token") await revokeFamily(trx, token.family, actor, { key: "auditReason.revokedByAdmin" });
    else await revokeOne(trx, token.sys_id, actor, { key: "auditReason.revokedByAdmin" });
  });
}

export async function revokeAllTokensOfClient(db: Kysely<Database>, clientSysId: string, actor: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const client = await trx.selectFrom("oauth_entity").select("sys_id").where("sys_id", "=", clientSysId).executeTakeFirst();
    if (!client) throw new NotFoundError(`no OAuth client with sys_id "${clientSysId}"`);
    return revokeTokensOf(trx, { client: clientSysId }, actor, { key: "auditReason.revokedByAdmin" });
  });
}

export async function countLiveTokens(db: Kysely<Database>, now = Date.now()): Promise<number> {
  const row = await db
    .selectFrom("oauth_credential")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("revoked_at", "is", null)
    .where("rotated_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
