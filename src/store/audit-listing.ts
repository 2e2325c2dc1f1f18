import { type Kysely, sql } from "kysely";
import { sysIdPattern } from "../domain/sys-id.ts";
import { systemTables } from "../domain/system-tables.ts";
import { clientActor, clientIdOfActor } from "./audit-store.ts";
import type { KeysetCursor } from "./keyset-cursor.ts";
import type { Database } from "./schema.ts";

/** An audit row with the name of the record it is about, so a person can read the history. */
export interface AuditListing {
  sysId: string;
  tablename: string;
  documentkey: string;
  recordName: string | null;
  fieldname: string;
  oldvalue: string;
  newvalue: string;
  reason: string;
  /** The reason as a catalog text (JSON), when it was written as one. */
  reasonText: string | null;
  /** For a token's row, its client while it exists: the row names it by client ID, a person reads its name. */
  tokenClientId: string | null;
  tokenClientName: string | null;
  user: string;
  /** When `user` is a client acting with no user ("oauth:<client ID>"), that endpoint while its record exists. */
  actorClient: { sysId: string; name: string; clientId: string } | null;
  /**
   * For a reference to a user (Client credentials user), the user the old and new sys_id name
   * while they exist, by the User ID the form shows; null for any other value or a deleted user.
   */
  oldDisplay: string | null;
  newDisplay: string | null;
  createdOn: string;
  /** Epoch milliseconds: the order of the list, and where its next page starts. */
  createdAt: number;
}

/** Newest first; `older` resumes after the last row of the page before. */
export async function listAudit(db: Kysely<Database>, filter: { tablename?: string; documentkey?: string; limit: number; older?: KeysetCursor<number> | undefined }): Promise<AuditListing[]> {
  let query = db
    .selectFrom("sys_audit")
    .leftJoin("oauth_entity", "oauth_entity.sys_id", "sys_audit.documentkey")
    .leftJoin("sys_user", "sys_user.sys_id", "sys_audit.documentkey")
    .leftJoin("oauth_credential as token", "token.sys_id", "sys_audit.documentkey")
    .leftJoin("oauth_entity as token_client", "token_client.sys_id", "token.client")
    .select([
      "sys_audit.sys_id as sysId",
      "sys_audit.tablename as tablename",
      "sys_audit.documentkey as documentkey",
      sql<string | null>`coalesce(${sql.ref("oauth_entity.name")}, ${sql.ref("sys_user.user_name")})`.as("recordName"),
      "sys_audit.fieldname as fieldname",
      "sys_audit.oldvalue as oldvalue",
      "sys_audit.newvalue as newvalue",
      "sys_audit.reason as reason",
      "sys_audit.reason_text as reasonText",
      "token_client.client_id as tokenClientId",
      "token_client.name as tokenClientName",
      "sys_audit.user as user",
      "sys_audit.sys_created_on as createdOn",
      "sys_audit.created_at as createdAt",
    ]);
  if (filter.tablename) query = query.where("sys_audit.tablename", "=", filter.tablename);
  if (filter.documentkey) query = query.where("sys_audit.documentkey", "=", filter.documentkey);
  const older = filter.older;
  if (older) query = query.where((eb) => eb.or([eb("sys_audit.created_at", "<", older.time), eb.and([eb("sys_audit.created_at", "=", older.time), eb("sys_audit.sys_id", ">", older.sysId)])]));
  return withUserNames(db, await withActorClients(db, await query.orderBy("sys_audit.created_at", "desc").orderBy("sys_audit.sys_id").limit(filter.limit).execute()));
}

/** Names the endpoints that acted on their own, in one indexed look-up for the page rather than a join on a computed value per row. */
async function withActorClients(db: Kysely<Database>, rows: Omit<AuditListing, "actorClient" | "oldDisplay" | "newDisplay">[]): Promise<Omit<AuditListing, "oldDisplay" | "newDisplay">[]> {
  const clientIds = [...new Set(rows.flatMap((r) => clientIdOfActor(r.user) ?? []))];
  const clients = clientIds.length === 0 ? [] : await db.selectFrom("oauth_entity").select(["sys_id", "name", "client_id"]).where("type", "=", "client").where("client_id", "in", clientIds).execute();
  const byActor = new Map(clients.map((c) => [clientActor(c.client_id), { sysId: c.sys_id, name: c.name, clientId: c.client_id }]));
  return rows.map((r) => ({ ...r, actorClient: byActor.get(r.user) ?? null }));
}

/** `table.field` of every system table's reference to a user: its audit rows hold the user's sys_id, as the platform's do. */
const userReferences = new Set([...systemTables.values()].flatMap((table) => table.fields.filter((f) => f.type === "reference" && f.reference === "sys_user").map((f) => `${table.name}.${f.name}`)));

/** Names the users the page's reference rows point to, in one look-up for the page: sys_audit keeps the sys_id, History shows who it is. */
async function withUserNames(db: Kysely<Database>, rows: Omit<AuditListing, "oldDisplay" | "newDisplay">[]): Promise<AuditListing[]> {
  const referencing = (r: (typeof rows)[number]) => userReferences.has(`${r.tablename}.${r.fieldname}`);
  const sysIds = [...new Set(rows.filter(referencing).flatMap((r) => [r.oldvalue, r.newvalue].filter((v) => sysIdPattern.test(v))))];
  const users = sysIds.length === 0 ? [] : await db.selectFrom("sys_user").select(["sys_id", "user_name"]).where("sys_id", "in", sysIds).execute();
  const names = new Map(users.map((u) => [u.sys_id, u.user_name]));
  const nameOf = (r: (typeof rows)[number], value: string) => (referencing(r) ? (names.get(value) ?? null) : null);
  return rows.map((r) => ({ ...r, oldDisplay: nameOf(r, r.oldvalue), newDisplay: nameOf(r, r.newvalue) }));
}

export async function auditedTables(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom("sys_audit").select("tablename").distinct().orderBy("tablename").execute();
  return rows.map((r) => r.tablename);
}

/** Whether any of `tablenames` has audit rows for the key: through the (tablename, documentkey) index, where the key alone would read every row. */
export async function hasAuditRows(db: Kysely<Database>, tablenames: readonly string[], documentkey: string): Promise<boolean> {
  if (tablenames.length === 0) return false;
  const row = await db.selectFrom("sys_audit").select("sys_id").where("tablename", "in", tablenames).where("documentkey", "=", documentkey).limit(1).executeTakeFirst();
  return row !== undefined;
}
