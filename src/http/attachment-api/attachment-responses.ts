import contentDisposition from "content-disposition";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sysAttachment } from "../../domain/system-tables.ts";
import type { Instance } from "../../instance.ts";
import type { AttachmentRow } from "../../store/attachment-store.ts";
import { mayDo } from "../table-api/acl.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";
import { type OutputParams, readOutputParams } from "../table-api/parameters.ts";
import { serializeRecords } from "../table-api/serialize.ts";

/**
 * Attachment metadata as the platform puts it on the wire (every value a string, or a
 * `{display_value, value}` pair with sysparm_display_value=all), plus its download_link;
 * and the bytes themselves, served so that no browser runs them.
 */
const downloadLink = (instance: Instance, sysId: string) => `${instance.config.publicUrl}/api/now/attachment/${sysId}/file`;

export async function attachmentResults(instance: Instance, request: FastifyRequest, principal: ApiPrincipal, rows: readonly AttachmentRow[], params?: OutputParams) {
  const output = params ?? (await readOutputParams(request, principal, sysAttachment, instance.store.db));
  const context = { db: instance.store.db, publicUrl: instance.config.publicUrl, mayRead: () => mayDo(principal, sysAttachment, "read") };
  const records = await serializeRecords(context, rows as unknown as Record<string, unknown>[], output);
  return records.map((record, i) => {
    const link = downloadLink(instance, rows[i]!.sys_id);
    return { ...record, download_link: output.displayValue === "all" ? { display_value: link, value: link } : link };
  });
}

/** The metadata header the platform sends with the bytes, in ASCII so any file name fits a header. */
function metadataHeader(instance: Instance, row: AttachmentRow): string {
  const json = JSON.stringify({
    sys_id: row.sys_id,
    file_name: row.file_name,
    content_type: row.content_type,
    size_bytes: String(row.size_bytes),
    hash: row.hash,
    table_name: row.table_name,
    table_sys_id: row.table_sys_id,
    download_link: downloadLink(instance, row.sys_id),
  });
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function sendFile(instance: Instance, reply: FastifyReply, row: AttachmentRow, bytes: Buffer): void {
  reply
    .header("content-type", row.content_type)
    // Always a download, never rendered: an uploaded HTML or SVG file must not run in this origin.
    .header("content-disposition", contentDisposition(row.file_name, { type: "attachment" }))
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "sandbox; default-src 'none'")
    .header("cache-control", "private, no-store")
    .header("x-attachment-metadata", metadataHeader(instance, row))
    .send(bytes);
}
