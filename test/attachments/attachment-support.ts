import { deflateSync } from "node:zlib";
import type { TestInstance } from "../support/instance.ts";
import { http, type HttpResult } from "../support/oauth.ts";
import { q } from "../support/table-api.ts";

/** POST /api/now/attachment/file with the bytes as the body, as PySNC and curl --data-binary send it. */
export function uploadRaw(server: TestInstance, token: string, params: Record<string, string>, bytes: Uint8Array, contentType: string, base = "/api/now/attachment"): Promise<HttpResult> {
  return http(`${server.base}${base}/file?${q(params)}`, { method: "POST", headers: { authorization: `Bearer ${token}`, accept: "application/json", "content-type": contentType }, body: Uint8Array.from(bytes) });
}

/** POST /api/now/attachment/upload as a browser or curl -F builds it: the fields, then the file. */
export function uploadMultipart(server: TestInstance, token: string, fields: Record<string, string>, file: { name: string; type: string; bytes: Uint8Array }): Promise<HttpResult> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("uploadFile", new Blob([Uint8Array.from(file.bytes)], { type: file.type }), file.name);
  return http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${token}`, accept: "application/json" }, body: form });
}

export async function attachmentCounts(server: TestInstance): Promise<{ sys_attachment: number; sys_attachment_doc: number }> {
  const db = server.instance.store.db;
  const count = async (table: "sys_attachment" | "sys_attachment_doc") => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  return { sys_attachment: await count("sys_attachment"), sys_attachment_doc: await count("sys_attachment_doc") };
}

/** A real 1×1 PNG, built here (signature, IHDR, IDAT, IEND with their CRCs). */
export function pngBytes(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (data: Buffer) => {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.from([0, 255, 0, 0]))), chunk("IEND", Buffer.alloc(0))]);
}

/** The start of a 64-bit Linux executable: enough for any signature check to call it one. */
export function elfBytes(): Buffer {
  return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
}
