import { isPlainObject } from "../../domain/record-input.ts";
import { XMLBody } from "../xml/xml-body.ts";
import { badRequest } from "./errors.ts";

/**
 * The fields of a record as a write sent them. JSON as it came; XML in the platform's envelope,
 * `<request><entry><short_description>…</short_description>…</entry></request>` (clients post it
 * to the Table API with Content-Type: application/xml), or as a root element holding the fields.
 * Values are the text sent, as a JSON body's strings; an empty element clears its field.
 */
export function recordBody(body: unknown): unknown {
  if (!(body instanceof XMLBody)) return body;
  // The platform processes only the first of several records and ignores the rest; silently
  // dropping writes is what "stricter than the platform" refuses elsewhere.
  if (Array.isArray(body.data)) throw badRequest("the XML body holds several records (<entry> elements); a write takes one");
  if (!isPlainObject(body.data)) throw badRequest("the XML body holds no fields: send <request><entry><field_name>value</field_name>…</entry></request>");
  return body.data;
}
