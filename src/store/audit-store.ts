import type { Kysely } from "kysely";
import { type FieldDef, wireValue } from "../domain/dictionary.ts";
import { glideDateTime, newSysId } from "../domain/sys-id.ts";
import { clippedText, encodeStoredText, inEnglish, type StoredText } from "../i18n/stored-text.ts";
import type { Database } from "./schema.ts";
import { precompiledInsert } from "./precompiled-query.ts";

export interface AuditEntry {
  tablename: string;
  documentkey: string;
  fieldname: string;
  oldvalue?: string;
  newvalue?: string;
  /** A fixed word the pages know ("created", "deleted"), or plain English. */
  reason?: string;
  /** A reason worded in the reader's language; its English goes in `reason`. */
  reasonText?: StoredText;
  user: string;
}

/**
 * Who the audit names when a client acts with no user (a client-only token, a client's own
 * revocation): its client ID behind "oauth:", which no user name can hold (they have no colon).
 */
export const clientActor = (clientId: string): string => `oauth:${clientId}`;

/** The client ID a `clientActor` names; undefined for a user. */
export function clientIdOfActor(actor: string): string | undefined {
  return actor.startsWith("oauth:") ? actor.slice("oauth:".length) : undefined;
}

/**
 * A stored value as sys_audit records it: as the Table API writes it, so a true/false field is
 * `true` or `false` as on the platform, not the 1 or 0 its column holds; empty for none. A
 * column the dictionary does not describe is written as it is.
 */
export function auditValue(field: FieldDef | undefined, stored: unknown): string {
  if (field) return wireValue(field, stored);
  return stored === null || stored === undefined ? "" : String(stored);
}

/**
 * The sys_audit rows of `entries`, one per changed field. Rows written together share their
 * millisecond, and History (newest first) breaks that tie by ascending sys_id: the ids are handed
 * out largest first, so the entry given first (a creation before its roles) lists below the rest.
 */
export function auditRows(entries: AuditEntry[], now: number) {
  const stamp = glideDateTime(now);
  const sysIds = entries.map(() => newSysId(now)).sort().reverse();
  return entries.map((e, i) => {
    const text = e.reasonText && clippedText(e.reasonText);
    return { sys_id: sysIds[i]!, tablename: e.tablename, documentkey: e.documentkey, fieldname: e.fieldname, oldvalue: e.oldvalue ?? "", newvalue: e.newvalue ?? "", reason: text ? inEnglish(text).slice(0, 4000) : (e.reason ?? ""), reason_text: text ? encodeStoredText(text) : null, user: e.user, sys_created_on: stamp, created_at: now };
  });
}

/**
 * A record's creation as the platform's History shows an insert: one row for every field the
 * insert gave a value, in the order given (a form's), each "created". `fields` must hold no
 * secret, nor a hash of one. History lists rows newest first and breaks a tie by ascending sys_id,
 * so the entries go in reverse (auditRows hands the first the largest sys_id): the first field
 * tops the creation, and rows written after it in the same call (a new user's roles) list above.
 */
export function creationEntries(tablename: string, documentkey: string, fields: [string, string | number | null][], actor: string): AuditEntry[] {
  return fields
    .filter(([, value]) => value !== null && value !== "")
    .map(([fieldname, value]): AuditEntry => ({ tablename, documentkey, fieldname, newvalue: String(value), user: actor, reason: "created" }))
    .reverse();
}

/** One prepared row insert, for SQLite's hot paths (src/store/token-store.ts). */
export const insertAuditRow = precompiledInsert("sys_audit", ["sys_id", "tablename", "documentkey", "fieldname", "oldvalue", "newvalue", "reason", "user", "sys_created_on", "created_at"]);

/** One row per changed field, like the platform's sys_audit. Callers pass no secret values. */
export async function writeAudit(db: Kysely<Database>, entries: AuditEntry[], now = Date.now()): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto("sys_audit").values(auditRows(entries, now)).execute();
}

export async function auditHistory(db: Kysely<Database>, tablename: string, documentkey: string) {
  return db
    .selectFrom("sys_audit")
    .selectAll()
    .where("tablename", "=", tablename)
    .where("documentkey", "=", documentkey)
    .orderBy("created_at")
    .execute();
}
