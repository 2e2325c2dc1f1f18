import type { Kysely } from "kysely";
import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import type { Instance } from "../../../instance.ts";
import type { IssuedTokens } from "../../../store/token-store.ts";
import { clientActor } from "../../../store/audit-store.ts";
import { inGroupedTransaction } from "../../../store/grouped-transaction.ts";
import type { Database } from "../../../store/schema.ts";
import type { FormParams } from "../../form-body.ts";
import { OAuthError } from "../oauth-error.ts";
import type { PendingLimits } from "../../rate-limit.ts";

export interface GrantRequest {
  instance: Instance;
  client: OAuthClient;
  form: FormParams;
  /** The caller's address, for per-address login limits. */
  ip: string;
  /**
   * The request's rate-limit hits, when the grant may count them in its own write (see
   * PendingLimits); a grant that refuses before writing leaves them to the endpoint.
   */
  limits?: PendingLimits;
}

/** One grant type of the token endpoint (RFC 6749 §4–6): validates its parameters and issues tokens. */
export type GrantHandler = (request: GrantRequest) => Promise<IssuedTokens>;

/** Who the audit trail names for a token: the user, else the client. */
export function actorOf(client: OAuthClient, userName?: string | null): string {
  return userName ?? clientActor(client.clientId);
}

/**
 * Runs a grant's reads and writes in one transaction (shared with its neighbours on SQLite:
 * see grouped-transaction.ts). A step may *return* an OAuthError
 * when what it wrote must stay (revoking a replayed code's tokens) and still fail the
 * request; anything thrown rolls everything back.
 */
export async function inGrantTransaction(
  instance: Instance,
  work: (db: Kysely<Database>, now: number) => Promise<IssuedTokens | OAuthError>,
): Promise<IssuedTokens> {
  const outcome = await inGroupedTransaction(instance.store, (trx) => work(trx, Date.now()));
  if (outcome instanceof OAuthError) throw outcome;
  return outcome;
}
