import type { FastifyBaseLogger } from "fastify";
import type { TableDef } from "../../domain/dictionary.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import type { Instance } from "../../instance.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { getRecord, listRecords } from "../../store/table-record-store.ts";
import { mayDo, mayReadDisplay, readableFields, requireAccess } from "../table-api/acl.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";
import { asTableApiError, forbidden, notFound } from "../table-api/errors.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { checkedQuery } from "../table-api/parameters.ts";
import { serializeRecords } from "../table-api/serialize.ts";
import { writerOf } from "../table-api/writers.ts";
import { glideAggregate } from "./glide-aggregate-call.ts";

/**
 * What a script's `table.*` calls do: the Table API's own dictionary lookup, ACL, validation,
 * writers and audit, acting as the caller. A guest (an operation without authentication) has
 * no rights to any table. Records come back as the Table API's wire values.
 */
const maxQueryLimit = 1000;
type Principal = ApiPrincipal | null;

const text = (value: unknown, what: string): string => {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string`);
  return value;
};

async function open(instance: Instance, principal: Principal, name: unknown, operation: "read" | "create" | "write" | "delete"): Promise<{ table: TableDef; principal: ApiPrincipal }> {
  const tableName = text(name, "the table name");
  if (!principal) throw forbidden(`guest may not ${operation} records of the table ${tableName.slice(0, 80)}`);
  const table = /^[a-z][a-z0-9_]{0,79}$/.test(tableName) ? await findTableDef(instance.store.db, tableName) : undefined;
  if (!table) throw notFound(`Invalid table ${tableName.slice(0, 80)}`);
  requireAccess(principal, table, operation);
  return { table, principal };
}

function sysIdOf(value: unknown): string {
  const sysId = text(value, "the sys_id");
  if (!sysIdPattern.test(sysId)) throw notFound("No Record found: a sys_id is 32 lowercase hex characters");
  return sysId;
}

/** Wire values for `table.*`; value and display value of each field for GlideRecord's elements. */
async function serialize(instance: Instance, principal: ApiPrincipal, table: TableDef, rows: Record<string, unknown>[], displayValue: "false" | "all" = "false") {
  const context = { db: instance.store.db, publicUrl: instance.config.publicUrl, mayRead: (t: TableDef) => mayDo(principal, t, "read") };
  return serializeRecords(context, rows, { fields: readableFields(principal, table), walks: [], displayValue, excludeReferenceLink: true, inputDisplayValue: false });
}

/**
 * GlideRecord's rows: every field's value and display value; a reference also names the table it
 * points to (for gr.caller_id.name and getRefRecord), and `$display`, which no field name can be,
 * names the table's display field (for getDisplayValue()).
 */
async function glideRows(instance: Instance, principal: ApiPrincipal, table: TableDef, rows: Record<string, unknown>[]) {
  const out = await serialize(instance, principal, table, rows, "all");
  const references = readableFields(principal, table).filter((f) => f.type === "reference" && f.reference);
  for (const record of out) {
    for (const f of references) Object.assign(record[f.name] as Record<string, string>, { reference: f.reference });
    record.$display = table.displayField;
  }
  return out;
}

const columns = (principal: ApiPrincipal, table: TableDef) => [...new Set(["sys_id", ...readableFields(principal, table).map((f) => f.name)])];

/** The message a script sees for a refused or failed call; unexpected failures are logged, not shown. */
function scriptMessage(error: unknown, log: FastifyBaseLogger): string {
  const known = asTableApiError(error);
  if (known instanceof OAuthError) return known.description;
  if (error instanceof TypeError) return error.message;
  log.error({ err: error }, "a script's data call failed");
  return "the data call failed";
}

export function dataApi(instance: Instance, principal: Principal, log: FastifyBaseLogger) {
  const db = instance.store.db;
  const actor = (p: ApiPrincipal) => ({ db, actor: p.user.userName, mayRead: (t: TableDef) => mayDo(p, t, "read") });
  const operations: Record<string, (args: unknown[]) => Promise<unknown>> = {
    async get([name, id]) {
      const { table, principal: p } = await open(instance, principal, name, "read");
      const row = await getRecord(db, table, sysIdOf(id), columns(p, table));
      return row ? (await serialize(instance, p, table, [row]))[0] : null;
    },
    async query([name, query, limit]) {
      const { table, principal: p } = await open(instance, principal, name, "read");
      const n = typeof limit === "number" && Number.isInteger(limit) ? Math.min(Math.max(limit, 1), maxQueryLimit) : 100;
      const { rows } = await listRecords(db, { table, columns: columns(p, table), query: await checkedQuery(text(query ?? "", "the encoded query"), p, table, instance.now(), db), limit: n, offset: 0, count: false, mayReadDisplay: mayReadDisplay(p) });
      return serialize(instance, p, table, rows);
    },
    // GlideRecord's reads (glide-record.ts): pages by offset, and a get of no such sys_id is simply false.
    async glideGet([name, id]) {
      const { table, principal: p } = await open(instance, principal, name, "read");
      const sysId = text(id, "the sys_id");
      const row = sysIdPattern.test(sysId) ? await getRecord(db, table, sysId, columns(p, table)) : undefined;
      return row ? (await glideRows(instance, p, table, [row]))[0] : null;
    },
    async glideQuery([name, query, limit, offset]) {
      const { table, principal: p } = await open(instance, principal, name, "read");
      const n = typeof limit === "number" && Number.isInteger(limit) ? Math.min(Math.max(limit, 1), maxQueryLimit) : 100;
      const from = typeof offset === "number" && Number.isInteger(offset) && offset >= 0 ? offset : 0;
      const { rows } = await listRecords(db, { table, columns: columns(p, table), query: await checkedQuery(text(query, "the encoded query"), p, table, instance.now(), db), limit: n, offset: from, count: false, mayReadDisplay: mayReadDisplay(p) });
      return glideRows(instance, p, table, rows);
    },
    async glideCount([name, query]) {
      const { table, principal: p } = await open(instance, principal, name, "read");
      const { total } = await listRecords(db, { table, columns: ["sys_id"], query: await checkedQuery(text(query, "the encoded query"), p, table, instance.now(), db), limit: 1, offset: 0, count: true, mayReadDisplay: mayReadDisplay(p) });
      return total ?? 0;
    },
    async glideAggregate([name, ...args]) {
      const { table, principal: p } = await open(instance, principal, name, "read");
      return glideAggregate(instance, p, table, args);
    },
    async insert([name, fields]) {
      const { table, principal: p } = await open(instance, principal, name, "create");
      return (await writerOf(table).create(actor(p), table, fields)).sysId;
    },
    async update([name, id, fields]) {
      const { table, principal: p } = await open(instance, principal, name, "write");
      return writerOf(table).update(actor(p), table, sysIdOf(id), fields);
    },
    async remove([name, id]) {
      const { table, principal: p } = await open(instance, principal, name, "delete");
      return writerOf(table).remove(actor(p), table, sysIdOf(id));
    },
  };
  return async (operation: string, args: unknown[]): Promise<unknown> => {
    const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (!run || !Array.isArray(args)) throw new TypeError(`no data operation ${operation.slice(0, 40)}`);
    try {
      return await run(args);
    } catch (error) {
      throw new Error(scriptMessage(error, log));
    }
  };
}
