import type { Kysely } from "kysely";
import type { StoredText } from "../i18n/stored-text.ts";
import type { Database } from "./schema.ts";
import { revokeTokensOf } from "./token-store.ts";

export interface EndedAccess {
  actor: string;
  /** Why, as the revocation's audit row gives it. */
  reason: StoredText;
  /** The session that made the change, when the user changed their own password: kept, as most products keep it. */
  keepSession?: string | undefined;
  now: number;
}

/**
 * Ends what a user signed in with: their admin sessions, the authorization codes they granted
 * that are not yet exchanged, and their live tokens, in the caller's transaction. A deactivation
 * or a new password takes effect now, not when the last token expires: whoever held the old
 * password keeps nothing it opened (OWASP ASVS 4.0 V3.3.3).
 */
export async function endUserAccess(db: Kysely<Database>, userSysId: string, ended: EndedAccess): Promise<void> {
  let sessions = db.deleteFrom("login_session").where("user", "=", userSysId);
  if (ended.keepSession !== undefined) sessions = sessions.where("sys_id", "!=", ended.keepSession);
  await sessions.execute();
  // Deleted, not marked consumed: a consumed code presented again reads as a replay, which would
  // revoke its grant and audit a leak; a deleted one is just unknown (invalid_grant). Before the
  // tokens: on PostgreSQL an exchange that consumed a code first holds its row until it commits,
  // so this waits for it and the revocation after it sees that exchange's tokens.
  await db.deleteFrom("oauth_auth_code").where("user", "=", userSysId).where("consumed_at", "is", null).execute();
  await revokeTokensOf(db, { user: userSysId }, ended.actor, ended.reason, ended.now);
}
