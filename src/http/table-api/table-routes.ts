import type { FastifyReply, FastifyRequest } from "fastify";
import { fieldOf, type TableDef } from "../../domain/dictionary.ts";
import { isDotWalk } from "../../domain/dot-walk.ts";
import { assertVersion, entityTag, type ExpectedVersions, ifMatchVersions, StaleRecordError } from "../../domain/record-version.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import type { Instance } from "../../instance.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { getRecord, listRecords, versionOf } from "../../store/table-record-store.ts";
import { mayDo, mayReadDisplay, requireAccess } from "./acl.ts";
import { type ApiPrincipal, authenticateApi } from "./api-principal.ts";
import { requestedSysId } from "../../domain/record-input.ts";
import { asTableApiError, badRequest, notFound } from "./errors.ts";
import { setListHeaders } from "./pagination.ts";
import { type OutputParams, type Query, readListParams, readOutputParams } from "./parameters.ts";
import { resolveDisplayInput } from "./input-display-value.ts";
import { recordBody } from "./record-body.ts";
import type { WriteContext } from "./record-writers.ts";
import { writerOf } from "./writers.ts";
import { serializeRecords } from "./serialize.ts";
import { rejectUnknownSysparms, tableAPISysparms } from "./sysparm-names.ts";

/**
 * The Table API: /api/now/table/{table}[/{sys_id}], also under /v1 and /v2. Each handler
 * authenticates, finds the table in the dictionary, checks the ACL, then reads or writes.
 */
export type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const tableName = /^[a-z][a-z0-9_]{0,79}$/;

export async function resolveTable(instance: Instance, request: FastifyRequest): Promise<TableDef> {
  const name = (request.params as { table: string }).table;
  const table = tableName.test(name) ? await findTableDef(instance.store.db, name) : undefined;
  if (!table) throw notFound(`Invalid table ${name.slice(0, 80)}`);
  return table;
}

function sysIdOf(request: FastifyRequest): string {
  const sysId = (request.params as { sys_id: string }).sys_id;
  if (!sysIdPattern.test(sysId)) throw notFound("No Record found: a sys_id is 32 lowercase hex characters");
  return sysId;
}

async function open(instance: Instance, request: FastifyRequest, operation: "read" | "create" | "write" | "delete") {
  const principal = await authenticateApi(instance, request, { api: "Table API" });
  // Before anything is read or written: a DELETE reads no parameter, and is refused all the same.
  rejectUnknownSysparms((request.query ?? {}) as Query, tableAPISysparms);
  const table = await resolveTable(instance, request);
  requireAccess(principal, table, operation);
  return { principal, table };
}

/** A write acts as the caller: in their name, and checking references only where they may read (table-record-store.ts). */
function writeContext(instance: Instance, principal: ApiPrincipal, expected?: ExpectedVersions): WriteContext {
  return { db: instance.store.db, actor: principal.user.userName, mayRead: (t) => mayDo(principal, t, "read"), expected };
}

function serializeContext(instance: Instance, principal: ApiPrincipal) {
  return { db: instance.store.db, publicUrl: instance.config.publicUrl, mayRead: (t: TableDef) => mayDo(principal, t, "read") };
}

/** The columns read from the table: a dot-walk's values are read after, from the first reference it follows. */
const columnsOf = (params: OutputParams) => [...new Set(["sys_id", ...params.fields.filter((f) => !isDotWalk(f.name)).map((f) => f.name), ...params.walks.map((w) => w.steps[0]!.field.name)])];

const versionColumns = ["sys_mod_count", "sys_updated_by", "sys_updated_on"];
const versioned = (table: TableDef) => fieldOf(table, "sys_mod_count") !== undefined;

/**
 * One record as the response of a read or a write; undefined when it is not there. Its version
 * goes out as the ETag (RFC 9110), whatever sysparm_fields asked for.
 */
async function recordResult(instance: Instance, principal: ApiPrincipal, table: TableDef, sysId: string, params: OutputParams, reply: FastifyReply) {
  const row = await getRecord(instance.store.db, table, sysId, versioned(table) ? [...new Set([...columnsOf(params), "sys_mod_count"])] : columnsOf(params));
  if (!row) return undefined;
  if (versioned(table)) reply.header("etag", entityTag(Number(row.sys_mod_count)));
  const [record] = await serializeRecords(serializeContext(instance, principal), [row], params);
  return record;
}

function collectionUrl(instance: Instance, request: FastifyRequest, table: TableDef): string {
  const route = request.routeOptions.url ?? "/api/now/table/:table";
  return instance.config.publicUrl + route.replace("/:sys_id", "").replace(":table", table.name);
}

/** The unversioned path serves the latest version, v2. */
type ApiVersion = "v1" | "v2";

/**
 * The platform's words: "Version 1 returns error code 404 with no results; Version 2 returns
 * 200". Sent as it is: the error handler would write its own detail.
 */
function sendNoRecordFound(reply: FastifyReply): void {
  reply
    .code(404)
    .header("cache-control", "no-store")
    .send({ error: { message: "No Record found", detail: "Records matching query not found. Check query parameter or offset parameter" }, status: "failure" });
}

const list =
  (version: ApiVersion): Handler =>
  async (instance, request, reply) => {
    const { principal, table } = await open(instance, request, "read");
    const params = await readListParams(request, principal, table, instance.now(), instance.store.db);
    const { rows, total } = await listRecords(instance.store.db, { table, columns: columnsOf(params), query: params.query, limit: params.limit, offset: params.offset, count: !params.noCount, mayReadDisplay: mayReadDisplay(principal) });
    if (rows.length === 0 && version === "v1") return sendNoRecordFound(reply);
    const result = await serializeRecords(serializeContext(instance, principal), rows, params);
    setListHeaders(request, reply, collectionUrl(instance, request, table), params, rows.length, total);
    reply.send({ result });
  };

/**
 * X-no-response-body: true asks a write to answer without a body (the status and headers stay),
 * as the platform's POST, PUT and PATCH do.
 */
function wantsNoBody(request: FastifyRequest): boolean {
  return String(request.headers["x-no-response-body"] ?? "").toLowerCase() === "true";
}

const readOne: Handler = async (instance, request, reply) => {
  const { principal, table } = await open(instance, request, "read");
  const sysId = sysIdOf(request);
  const record = await recordResult(instance, principal, table, sysId, await readOutputParams(request, principal, table, instance.store.db), reply);
  if (!record) throw notFound("No Record found");
  reply.send({ result: record });
};

const create: Handler = async (instance, request, reply) => {
  const { principal, table } = await open(instance, request, "create");
  const params = await readOutputParams(request, principal, table, instance.store.db);
  const sent = recordBody(request.body);
  const body = params.inputDisplayValue ? await resolveDisplayInput(instance.store.db, principal, table, sent) : sent;
  // Tables with their own writer (the registry, the dictionary, Scripted REST, transform maps) make their records' sys_ids.
  if (table.writer !== "generic" && requestedSysId(body)) throw badRequest(`sys_id: records of ${table.name} get their sys_id from the instance; leave sys_id out of the body`);
  const created = await writerOf(table).create(writeContext(instance, principal), table, body);
  const record = mayDo(principal, table, "read") ? await recordResult(instance, principal, table, created.sysId, params, reply) : { sys_id: created.sysId };
  reply.code(201).header("location", `${collectionUrl(instance, request, table)}/${created.sysId}`);
  // A value shown once (a new client secret) is never dropped: X-no-response-body does not apply to it.
  reply.send(wantsNoBody(request) && !created.once ? undefined : { result: { ...record, ...created.once } });
};

const update: Handler = async (instance, request, reply) => {
  const { principal, table } = await open(instance, request, "write");
  const sysId = sysIdOf(request);
  const params = await readOutputParams(request, principal, table, instance.store.db);
  const sent = recordBody(request.body);
  const body = params.inputDisplayValue ? await resolveDisplayInput(instance.store.db, principal, table, sent) : sent;
  const expected = ifMatchVersions(request.headers["if-match"]);
  const found = await writerOf(table).update(writeContext(instance, principal, expected), table, sysId, body);
  if (!found) throw notFound("No Record found");
  const record = mayDo(principal, table, "read") ? await recordResult(instance, principal, table, sysId, params, reply) : { sys_id: sysId };
  reply.send(wantsNoBody(request) ? undefined : { result: record });
};

const remove: Handler = async (instance, request, reply) => {
  const { principal, table } = await open(instance, request, "delete");
  const sysId = sysIdOf(request);
  const expected = ifMatchVersions(request.headers["if-match"]);
  if (expected) {
    if (!versioned(table)) throw badRequest(`records of ${table.name} carry no version (sys_mod_count) to match If-Match against`);
    // Checked first for every table; the writers that delete one row check again in their transaction
    // (dropping a custom table or field, or a transform map with its field maps, relies on this one).
    const row = await getRecord(instance.store.db, table, sysId, ["sys_id", ...versionColumns]);
    if (!row) throw notFound("No Record found");
    assertVersion(versionOf(row), expected);
  }
  if (!(await writerOf(table).remove(writeContext(instance, principal, expected), table, sysId))) throw notFound("No Record found");
  reply.code(204).send();
};

export const guarded =
  (handler: Handler): Handler =>
  async (instance, request, reply) => {
    try {
      await handler(instance, request, reply);
    } catch (error) {
      if (error instanceof StaleRecordError) reply.header("etag", entityTag(error.current.modCount));
      throw asTableApiError(error);
    }
  };

export type TableRoute = { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; url: string; handler: Handler };

/** The platform serves the same API unversioned (the latest), as v1 and as v2. */
export function tableApiRoutes(): TableRoute[] {
  const bases: [string, ApiVersion][] = [["/api/now/table", "v2"], ["/api/now/v1/table", "v1"], ["/api/now/v2/table", "v2"]];
  return bases.flatMap(([base, version]) => [
    { method: "GET", url: `${base}/:table`, handler: guarded(list(version)) },
    { method: "POST", url: `${base}/:table`, handler: guarded(create) },
    { method: "GET", url: `${base}/:table/:sys_id`, handler: guarded(readOne) },
    { method: "PUT", url: `${base}/:table/:sys_id`, handler: guarded(update) },
    { method: "PATCH", url: `${base}/:table/:sys_id`, handler: guarded(update) },
    { method: "DELETE", url: `${base}/:table/:sys_id`, handler: guarded(remove) },
  ]);
}
