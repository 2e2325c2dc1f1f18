import type { FastifyReply, FastifyRequest } from "fastify";
import { checkedContentType } from "../../domain/attachment-content-type.ts";
import { sysIdPattern } from "../../domain/sys-id.ts";
import { sysAttachment } from "../../domain/system-tables.ts";
import type { Instance } from "../../instance.ts";
import { attachmentBytes, type AttachmentRow, deleteAttachment, findAttachment, insertAttachment } from "../../store/attachment-store.ts";
import { listRecords } from "../../store/table-record-store.ts";
import { requireAccess } from "../table-api/acl.ts";
import { type ApiPrincipal, authenticateApi } from "../table-api/api-principal.ts";
import { asTableApiError, badRequest, notFound } from "../table-api/errors.ts";
import { setListHeaders } from "../table-api/pagination.ts";
import { readListParams, readOutputParams } from "../table-api/parameters.ts";
import { attachmentAPISysparms, rejectUnknownSysparms } from "../table-api/sysparm-names.ts";
import { parentTable, readableTableNames } from "./attachment-access.ts";
import { disguisedExecutable, tooLarge } from "./attachment-errors.ts";
import { attachmentResults, sendFile } from "./attachment-responses.ts";
import { parseMultipartUpload } from "./multipart-upload.ts";
import { onlyTables } from "./query-scope.ts";

/**
 * The Attachment API: /api/now/attachment (and /api/now/v1/attachment) — upload as a raw
 * body or multipart, list, metadata, bytes, delete. Stored in the database next to the
 * records, under the parent record's ACL.
 */
type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;
type Query = Record<string, string | string[] | undefined>;

/** Multipart framing around the file: generous, and still bounded. */
const multipartOverhead = 64 * 1024;

function param(values: Record<string, unknown>, name: string, ...aliases: string[]): string {
  for (const key of [name, ...aliases]) {
    const value = values[key];
    if (Array.isArray(value)) throw badRequest(`the parameter ${key} was sent more than once`);
    if (typeof value === "string" && value !== "") return value;
  }
  throw badRequest(`the parameter ${name} is required`);
}

/** The caller, once the query names no sysparm_* parameter this API does not take (sysparm-names.ts). */
async function authenticate(instance: Instance, request: FastifyRequest): Promise<ApiPrincipal> {
  const principal = await authenticateApi(instance, request, { api: "Attachment API" });
  rejectUnknownSysparms((request.query ?? {}) as Query, attachmentAPISysparms);
  return principal;
}

function attachmentSysId(request: FastifyRequest): string {
  const sysId = (request.params as { sys_id: string }).sys_id;
  if (!sysIdPattern.test(sysId)) throw notFound("Record doesn't exist or ACL restricts the record retrieval: a sys_id is 32 lowercase hex characters");
  return sysId;
}

function checkedFileName(name: string): string {
  // Control characters have no place in a name that ends up in headers and file systems.
  if (name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) throw badRequest("file_name must be at most 255 characters without control characters");
  return name;
}

interface Upload {
  tableName: string;
  tableSysId: string;
  fileName: string;
  claimedType: string | undefined;
  bytes: Buffer;
}

async function store(instance: Instance, request: FastifyRequest, reply: FastifyReply, principal: ApiPrincipal, upload: Upload): Promise<void> {
  const parent = await parentTable(instance, upload.tableName);
  requireAccess(principal, parent, "read");
  requireAccess(principal, parent, "write");
  if (!sysIdPattern.test(upload.tableSysId)) throw badRequest("table_sys_id must be the sys_id (32 lowercase hex characters) of the record to attach to");
  if (upload.bytes.byteLength > instance.config.attachmentMaxBytes) throw tooLarge(instance.config.attachmentMaxBytes);
  const verdict = await checkedContentType(upload.bytes, upload.claimedType);
  if (!verdict.ok) throw disguisedExecutable(verdict.claimed, verdict.detected);
  const row = await insertAttachment(instance.store.db, instance.store.dialect, { parent, parentSysId: upload.tableSysId, fileName: checkedFileName(upload.fileName), contentType: verdict.contentType, bytes: upload.bytes }, principal.user.userName);
  if (!row) throw notFound(`No Record found: no ${parent.name} record with sys_id ${upload.tableSysId}`);
  const [result] = await attachmentResults(instance, request, principal, [row]);
  reply.code(201).header("location", `${instance.config.publicUrl}/api/now/attachment/${row.sys_id}`).send({ result });
}

const bodyBytes = (request: FastifyRequest): Buffer => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

const uploadRaw: Handler = async (instance, request, reply) => {
  const principal = await authenticate(instance, request);
  const query = (request.query ?? {}) as Query;
  await store(instance, request, reply, principal, {
    tableName: param(query, "table_name"),
    tableSysId: param(query, "table_sys_id"),
    fileName: param(query, "file_name"),
    claimedType: request.headers["content-type"],
    bytes: bodyBytes(request),
  });
};

const uploadMultipart: Handler = async (instance, request, reply) => {
  const principal = await authenticate(instance, request);
  const form = await parseMultipartUpload(request.headers["content-type"] ?? "", bodyBytes(request), instance.config.attachmentMaxBytes);
  await store(instance, request, reply, principal, {
    tableName: param(form.fields, "table_name"),
    tableSysId: param(form.fields, "table_sys_id", "record_sys_id"),
    fileName: form.fields.file_name || form.file.fileName || "attachment",
    claimedType: form.file.claimedType,
    bytes: form.file.bytes,
  });
};

const list: Handler = async (instance, request, reply) => {
  const principal = await authenticate(instance, request);
  const params = await readListParams(request, principal, sysAttachment, instance.now(), instance.store.db);
  const readable = await readableTableNames(instance, principal);
  const query = readable === null ? params.query : onlyTables(params.query, readable);
  const columns = [...new Set(["sys_id", ...sysAttachment.fields.map((f) => f.name)])];
  const { rows, total } = query ? await listRecords(instance.store.db, { table: sysAttachment, columns, query, limit: params.limit, offset: params.offset, count: !params.noCount }) : { rows: [], total: params.noCount ? null : 0 };
  const result = await attachmentResults(instance, request, principal, rows as unknown as AttachmentRow[], params);
  const path = (request.routeOptions.url ?? "/api/now/attachment").replace(/\/$/, "");
  setListHeaders(request, reply, instance.config.publicUrl + path, params, rows.length, total);
  reply.send({ result });
};

/** The attachment, after checking the caller may do `operation` on its parent record. */
async function openAttachment(instance: Instance, request: FastifyRequest, operation: "read" | "write") {
  const principal = await authenticate(instance, request);
  const row = await findAttachment(instance.store.db, attachmentSysId(request));
  if (!row) throw notFound("Record doesn't exist or ACL restricts the record retrieval");
  requireAccess(principal, await parentTable(instance, row.table_name), operation);
  return { principal, row };
}

const metadata: Handler = async (instance, request, reply) => {
  const { principal, row } = await openAttachment(instance, request, "read");
  const [result] = await attachmentResults(instance, request, principal, [row], await readOutputParams(request, principal, sysAttachment, instance.store.db));
  reply.send({ result });
};

const file: Handler = async (instance, request, reply) => {
  const { row } = await openAttachment(instance, request, "read");
  const bytes = await attachmentBytes(instance.store.db, row.sys_id);
  if (!bytes) throw notFound("Record doesn't exist or ACL restricts the record retrieval");
  sendFile(instance, reply, row, bytes);
};

const remove: Handler = async (instance, request, reply) => {
  const { principal, row } = await openAttachment(instance, request, "write");
  if (!(await deleteAttachment(instance.store.db, row.sys_id, principal.user.userName))) throw notFound("Record doesn't exist or ACL restricts the record retrieval");
  reply.code(204).send();
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

export interface AttachmentRoute {
  method: "GET" | "POST" | "DELETE";
  url: string;
  handler: Handler;
  /** Uploads take the body as bytes whatever its content type, up to this many. */
  rawBodyLimit?: (instance: Instance) => number;
  /** The download answers the file's own type, so its Accept is not held to JSON. */
  anyType?: boolean;
}

/** The platform serves the Attachment API unversioned and as v1 (PySNC calls v1). */
export function attachmentApiRoutes(): AttachmentRoute[] {
  return ["/api/now/attachment", "/api/now/v1/attachment"].flatMap((base): AttachmentRoute[] => [
    { method: "GET", url: base, handler: guarded(list) },
    { method: "POST", url: `${base}/file`, handler: guarded(uploadRaw), rawBodyLimit: (instance) => instance.config.attachmentMaxBytes },
    { method: "POST", url: `${base}/upload`, handler: guarded(uploadMultipart), rawBodyLimit: (instance) => instance.config.attachmentMaxBytes + multipartOverhead },
    { method: "GET", url: `${base}/:sys_id`, handler: guarded(metadata) },
    { method: "GET", url: `${base}/:sys_id/file`, handler: guarded(file), anyType: true },
    { method: "DELETE", url: `${base}/:sys_id`, handler: guarded(remove) },
  ]);
}
