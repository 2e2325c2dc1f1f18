import { Busboy } from "@fastify/busboy";
import { badRequest } from "../table-api/errors.ts";
import { tooLarge } from "./attachment-errors.ts";

/**
 * The body of POST /api/now/attachment/upload: form fields naming the parent record, then
 * one file part, as the platform documents it (older releases call the sys_id field
 * record_sys_id). The file part's own Content-Type is the claimed type.
 */
export interface MultipartUpload {
  fields: Record<string, string>;
  file: { fileName: string; claimedType: string | undefined; bytes: Buffer };
}

export function parseMultipartUpload(contentType: string, body: Buffer, maxBytes: number): Promise<MultipartUpload> {
  return new Promise((resolve, reject) => {
    let parser;
    try {
      parser = Busboy({ headers: { "content-type": contentType }, limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 8 * 1024, parts: 21 } });
    } catch (error) {
      // No boundary, or not multipart at all: pysnow's multipart=True sends exactly that.
      return reject(badRequest(`a multipart upload needs Content-Type: multipart/form-data with a boundary (${(error as Error).message})`));
    }
    const fields: Record<string, string> = {};
    let file: MultipartUpload["file"] | undefined;
    let fileSeen = false;
    let failure: unknown;
    parser.on("field", (name, value) => {
      if (fileSeen) failure ??= badRequest(`the form field ${name.slice(0, 40)} comes after the file; the file must be the last part`);
      // As with repeated query parameters: which of two values was meant is not for us to guess.
      if (Object.hasOwn(fields, name)) failure ??= badRequest(`the form field ${name.slice(0, 40)} is given more than once`);
      fields[name] = value;
    });
    parser.on("file", (_field, stream, fileName, _encoding, mimeType) => {
      fileSeen = true;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => (failure ??= tooLarge(maxBytes)));
      // A body cut off inside the file part fails the file stream too; unheard, that error
      // would end the process. The parser's own error event answers the request.
      stream.on("error", (error: Error) => (failure ??= badRequest(`the multipart body could not be read: ${error.message}`)));
      stream.on("end", () => {
        file = { fileName, claimedType: mimeType || undefined, bytes: Buffer.concat(chunks) };
      });
    });
    parser.on("filesLimit", () => (failure ??= badRequest("an upload carries exactly one file")));
    parser.on("partsLimit", () => (failure ??= badRequest("an upload carries at most 20 form fields and one file")));
    parser.on("fieldsLimit", () => (failure ??= badRequest("an upload carries at most 20 form fields and one file")));
    parser.on("error", (error) => reject(failure ?? badRequest(`the multipart body could not be read: ${(error as Error).message}`)));
    parser.on("finish", () => {
      if (failure) return reject(failure);
      if (!file) return reject(badRequest("the multipart body has no file part"));
      resolve({ fields, file });
    });
    parser.end(body);
  });
}
