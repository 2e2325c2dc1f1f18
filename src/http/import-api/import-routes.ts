import type { FastifyReply, FastifyRequest } from "fastify";
import type { StoredValue, TableDef } from "../../domain/dictionary.ts";
import { isStagingTable } from "../../domain/import-set-tables.ts";
import { isPlainObject, parseRecordInput } from "../../domain/record-input.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { type FieldIssue, ValidationError } from "../../domain/validation.ts";
import { kickImportSetJobs } from "../../import-sets/import-set-job.ts";
import { planTransform, transformRow } from "../../import-sets/transform-row.ts";
import type { Instance } from "../../instance.ts";
import { findTableDef } from "../../store/dictionary-store.ts";
import { addToTally, emptyTally, insertSynchronousRow, type Loader, loadImportSet, recordRowOutcome } from "../../store/import-set-store.ts";
import { requireAccess } from "../table-api/acl.ts";
import { type ApiPrincipal, authenticateApi } from "../table-api/api-principal.ts";
import { asTableApiError, badRequest, notFound } from "../table-api/errors.ts";
import type { Query } from "../table-api/parameters.ts";
import { recordBody } from "../table-api/record-body.ts";
import { importSetAPISysparms, rejectUnknownSysparms } from "../table-api/sysparm-names.ts";
import { importResultOf } from "./import-result.ts";

/**
 * The Import Set API: /api/now/import/{staging_table}, its insertMultiple, and reading a
 * staging row's or an import set's outcome. Loading needs create on the staging table;
 * every target write is then checked as the caller by the transform (transform-row.ts).
 */
type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const tableName = /^[a-z][a-z0-9_]{0,79}$/;

async function open(instance: Instance, request: FastifyRequest, operation: "read" | "create"): Promise<{ principal: ApiPrincipal; staging: TableDef }> {
  const principal = await authenticateApi(instance, request, { api: "Import Set API" });
  rejectUnknownSysparms((request.query ?? {}) as Query, importSetAPISysparms);
  const name = (request.params as { table: string }).table;
  const table = tableName.test(name) ? await findTableDef(instance.store.db, name) : undefined;
  if (!table || !isStagingTable(table)) throw notFound(`Invalid staging table ${name.slice(0, 80)}`);
  requireAccess(principal, table, operation);
  return { principal, staging: table };
}

const loaderOf = (principal: ApiPrincipal): Loader => ({ userSysId: principal.user.sysId, userName: principal.user.userName, scope: principal.scope });

const importOne: Handler = async (instance, request, reply) => {
  const { principal, staging } = await open(instance, request, "create");
  const values = parseRecordInput(staging, recordBody(request.body), "create");
  const db = instance.store.db;
  const now = instance.now().getTime();
  const { set, row } = await insertSynchronousRow(db, staging, loaderOf(principal), values, now);
  const { results, outcome } = await transformRow({ db, principal, publicUrl: instance.config.publicUrl, describe: true }, await planTransform(db, staging.name), row, staging.name);
  await recordRowOutcome(db, staging, row.sys_id as string, outcome, now);
  const tally = emptyTally();
  tally[outcome.state]++;
  await addToTally(db, set.sys_id, tally, now);
  reply.code(201).send({ import_set: set.number, staging_table: staging.name, result: results });
};

const maxIssues = 20;

function readRecords(staging: TableDef, body: unknown, limit: number): Record<string, StoredValue>[] {
  if (!isPlainObject(body) || !Array.isArray(body.records)) throw badRequest('the request body must be a JSON object with a "records" list of staging rows');
  const unknown = Object.keys(body).find((key) => key !== "records");
  if (unknown !== undefined) throw badRequest(`the request body holds only "records", not "${unknown.slice(0, 40)}"`);
  const records: unknown[] = body.records;
  if (records.length === 0) throw badRequest('"records" is empty');
  if (records.length > limit) throw badRequest(`at most ${limit} records per request (PORTCULLIS_IMPORT_MAX_RECORDS); this one has ${records.length}`);
  const issues: FieldIssue[] = [];
  const rows: Record<string, StoredValue>[] = [];
  for (const [index, record] of records.entries()) {
    try {
      rows.push(parseRecordInput(staging, record, "create"));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((i) => ({ field: `records[${index}]${i.field ? `.${i.field}` : ""}`, message: i.message })));
      if (issues.length >= maxIssues) break;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues.slice(0, maxIssues));
  return rows;
}

const importMany: Handler = async (instance, request, reply) => {
  const { principal, staging } = await open(instance, request, "create");
  const rows = readRecords(staging, request.body, instance.config.importMaxRecords);
  const set = await loadImportSet(instance.store.db, staging, loaderOf(principal), rows, instance.now().getTime());
  kickImportSetJobs(instance);
  // One request makes one set, so it is also the "multi" set a platform client looks for.
  reply.code(201).send({ import_set_id: set.sys_id, multi_import_set_id: set.sys_id });
};

const readImport: Handler = async (instance, request, reply) => {
  const { principal, staging } = await open(instance, request, "read");
  const sysId = (request.params as { sys_id: string }).sys_id;
  if (!sysIdPattern.test(sysId)) throw notFound("No Record found: a sys_id is 32 lowercase hex characters");
  const result = await importResultOf(instance, principal, staging, sysId);
  if (!result) throw notFound("No Record found");
  reply.send(result);
};

const guarded =
  (handler: Handler): Handler =>
  async (instance, request, reply) => {
    try {
      await handler(instance, request, reply);
    } catch (error) {
      throw asTableApiError(error);
    }
  };

export type ImportRoute = { method: "GET" | "POST"; url: string; handler: Handler; bulk?: true };

export function importApiRoutes(): ImportRoute[] {
  return ["/api/now/import", "/api/now/v1/import"].flatMap((base): ImportRoute[] => [
    { method: "POST", url: `${base}/:table`, handler: guarded(importOne) },
    { method: "POST", url: `${base}/:table/insertMultiple`, handler: guarded(importMany), bulk: true },
    { method: "GET", url: `${base}/:table/:sys_id`, handler: guarded(readImport) },
  ]);
}
