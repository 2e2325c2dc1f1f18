import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { TestInstance } from "./instance.ts";
import { http, type HttpResult } from "./oauth.ts";

/** Calls an API with the Accept and body given, for XML answers and XML bodies. */
export function xmlCall(server: TestInstance, method: string, path: string, options: { token: string; accept?: string; body?: string; contentType?: string }): Promise<HttpResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: options.accept ?? "application/xml" };
  if (options.body !== undefined) headers["content-type"] = options.contentType ?? "application/xml";
  return http(`${server.base}${path}`, { method, headers, ...(options.body !== undefined ? { body: options.body } : {}) });
}

// A real parser, keeping text as sent (no trimming, no numbers), attributes under "@"; its
// htmlEntities option is what decodes character references (&#13;) too.
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: true });

/** The <response> of an XML answer, after checking it is one well-formed document in UTF-8. */
export function xmlResponse(res: HttpResult): any {
  assert.match(res.headers.get("content-type") ?? "", /^(application|text)\/xml; charset=utf-8$/, res.text);
  assert.ok(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><response>'), res.text.slice(0, 200));
  const valid = XMLValidator.validate(res.text);
  assert.equal(valid, true, `${JSON.stringify(valid)}: ${res.text.slice(0, 300)}`);
  const doc = parser.parse(res.text);
  assert.deepEqual(Object.keys(doc).filter((k) => k !== "?xml"), ["response"]);
  return doc.response === "" ? {} : doc.response;
}

/** A repeated element as a list: one element parses as a value, several as a list, none as nothing. */
export function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
