import type { Kysely } from "kysely";
import type { TableDef } from "../../domain/dictionary.ts";
import { isPlainObject, notOneRecord, parseRecordInput, requestedSysId, writableEntries } from "../../domain/record-input.ts";
import type { ExpectedVersions } from "../../domain/record-version.ts";
import { createClient, deleteClient, findClientBySysId, updateClient } from "../../store/oauth-entity-store.ts";
import type { Database } from "../../store/schema.ts";
import { type Author, deleteRecord, insertRecord, updateRecord } from "../../store/table-record-store.ts";
import { forbidden } from "./errors.ts";

/**
 * How records of a table are created, changed and deleted. Most tables take the generic
 * dictionary-driven writer; the Application Registry keeps its own rules (validation,
 * generated client ID and secret, token revocation, audit), shared with the CLI.
 */
export interface WriteContext extends Author {
  db: Kysely<Database>;
  /** The versions an update or delete may apply to (the request's If-Match); checked in its transaction. */
  expected?: ExpectedVersions | undefined;
}

export interface Created {
  sysId: string;
  /** Values shown once in the response and never stored as such (a new client secret). */
  once?: Record<string, string>;
}

export interface RecordWriter {
  create(context: WriteContext, table: TableDef, body: unknown): Promise<Created>;
  /** False when there is no such record. */
  update(context: WriteContext, table: TableDef, sysId: string, body: unknown): Promise<boolean>;
  remove(context: WriteContext, table: TableDef, sysId: string): Promise<boolean>;
}

/**
 * A sys_id asked for on create, from an author who may read the table. A taken one is refused as
 * a duplicate, which would tell someone who may only create there which sys_ids exist, as a read
 * would; so they are refused the choice itself, taken or not, and the instance makes the sys_id
 * when they leave it out. Every create path meets this: the Table API (and the Batch API through
 * it), a script's table.insert and GlideRecord, an import set's transform.
 */
function chosenSysId(context: WriteContext, table: TableDef, body: unknown): string | undefined {
  const sysId = requestedSysId(body);
  if (sysId !== undefined && !context.mayRead(table)) {
    throw forbidden(`sys_id: ${context.actor} may not choose the sys_id of a new ${table.name} record, since they may not read records of the table ${table.name}; leave sys_id out and the instance makes one`);
  }
  return sysId;
}

export const genericWriter: RecordWriter = {
  async create(context, table, body) {
    const row = await insertRecord(context.db, table, parseRecordInput(table, body, "create"), context, chosenSysId(context, table, body));
    return { sysId: row.sys_id as string };
  },
  async update(context, table, sysId, body) {
    return (await updateRecord(context.db, table, sysId, parseRecordInput(table, body, "update"), context, context.expected)) !== undefined;
  },
  async remove({ db, actor, expected }, table, sysId) {
    return deleteRecord(db, table, sysId, actor, expected);
  },
};

function objectBody(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw notOneRecord(body);
  return body;
}

export const oauthEntityWriter: RecordWriter = {
  async create({ db, actor }, table, body) {
    const created = await createClient(db, writableEntries(table, objectBody(body)), actor);
    return { sysId: created.client.sysId, ...(created.clientSecret ? { once: { client_secret: created.clientSecret } } : {}) };
  },
  async update({ db, actor, expected }, table, sysId, body) {
    const changes = writableEntries(table, objectBody(body));
    if (!(await findClientBySysId(db, sysId))) return false;
    await updateClient(db, sysId, changes, actor, expected);
    return true;
  },
  async remove({ db, actor, expected }, _table, sysId) {
    if (!(await findClientBySysId(db, sysId))) return false;
    await deleteClient(db, sysId, actor, expected);
    return true;
  },
};
