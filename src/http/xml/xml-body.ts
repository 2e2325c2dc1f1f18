import type { FastifyInstance } from "fastify";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { maxBodyDepth } from "../body-depth.ts";
import { bodyEncodingError } from "../body-encoding.ts";
import { bodyRefusal } from "../body-refusal.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { utf8Text } from "../utf8-body.ts";

/**
 * XML request bodies of Scripted REST APIs, which the platform accepts by default
 * (application/xml, text/xml, and types with an +xml suffix), and of the Table API's and Import
 * Set API's writes (src/http/table-api/record-body.ts). Its "Scripted REST API example - script
 * samples" posts
 *
 *   <request><entry><name>user0</name><id>1234</id></entry><entry>…</entry></request>
 *
 * to a script that reads `request.body.data[0].name`: the root element is the envelope, and its
 * `entry` elements are the body's entries. So `data` is what the root holds, as an object of its
 * child elements (a repeated element a list, an element with only text its text, always a
 * string); when the root holds only `entry` elements, `data` is those entries, one entry as an
 * object, several as a list, as a JSON body's single object or array. Attributes are not kept.
 */
export class XMLBody {
  constructor(
    readonly text: string,
    readonly data: unknown,
  ) {}
}

/** Deeper documents answer 400, as deeper JSON does: the parsed value is rebuilt in the sandbox, whose stack is small. */
const maxDepth = maxBodyDepth;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Values stay the text that was sent: "1234" and "false" are strings, as in the platform's samples.
  parseTagValue: false,
  trimValues: true,
  // No entity a document defines (below); the XML ones, character references (&#233;), and,
  // leniently, HTML's named ones, which decode character references here too.
  processEntities: true,
  htmlEntities: true,
  maxNestedTags: maxDepth,
  // The value only becomes JSON for the sandbox, so an element named toString keeps its name;
  // __proto__, constructor and prototype are still refused (strictReservedNames).
  onDangerousProperty: (name) => name,
});

function refused(reason: string): OAuthError {
  return new OAuthError("invalid_request", `the XML body could not be read: ${reason}`);
}

/**
 * Where the document stops being well-formed. Only where, and an element's name: the
 * validator's own message can quote the body's text. It reports elements still open when the
 * text ends at the first one's start (one) or at line 1, column 1 (several), listing their
 * names; the fault is at the end, so that is where this says it is.
 */
function notWellFormed(text: string, err: { code: string; msg: string; line: number; col?: number }): string {
  const single = err.code === "InvalidTag" ? /^Unclosed tag '(.*)'\.$/s.exec(err.msg)?.[1] : undefined;
  const several = err.code === "InvalidXml" ? /^Invalid '(\[.*\])' found\.$/s.exec(err.msg)?.[1] : undefined;
  if (single !== undefined || several !== undefined) {
    const innermost = single ?? openElements(several!).at(-1);
    const content = text.trimEnd();
    const lines = content.split("\n");
    const where = `line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
    return innermost === undefined ? `it is not well-formed XML: the document ends at ${where} before every element is closed` : `it is not well-formed XML: the document ends at ${where} before <${innermost.slice(0, 100)}> is closed`;
  }
  if (err.code === "InvalidXml" && /start tag expected/i.test(err.msg)) return "it holds no XML element";
  return `it is not well-formed XML at line ${err.line}${err.col === undefined ? "" : `, column ${err.col}`}`;
}

/** The names the validator lists, outermost first (a JSON array in its message). */
function openElements(list: string): string[] {
  try {
    const names: unknown = JSON.parse(list);
    return Array.isArray(names) ? names.filter((name): name is string => typeof name === "string") : [];
  } catch {
    return [];
  }
}

/** The body's data, as the platform's samples read it; the XML text was validated before. */
function bodyData(parsed: Record<string, unknown>): unknown {
  const roots = Object.values(parsed);
  const root = roots[0];
  if (roots.length !== 1 || Array.isArray(root)) throw refused("an XML document has one root element");
  if (root !== null && typeof root === "object" && !Array.isArray(root) && Object.keys(root).length === 1 && "entry" in root) return (root as { entry: unknown }).entry;
  return root ?? "";
}

export function parseXMLBody(text: string): XMLBody {
  // A DTD can define entities that expand a few bytes into gigabytes (the "billion laughs") or
  // read files (XXE). A REST body has no use for one, so it is refused before anything is parsed.
  if (/<!DOCTYPE/i.test(text)) throw refused("a DOCTYPE is not accepted");
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw refused(notWellFormed(text, valid.err));
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    const nested = /nested/i.test(String((error as Error)?.message));
    throw refused(nested ? `its elements nest deeper than ${maxDepth} levels` : "an element named __proto__, constructor or prototype is refused");
  }
  return new XMLBody(text, bodyData(parsed));
}

/** For the routes of the plugin it is registered in; the rest of the instance still refuses XML. */
export function registerXMLParser(app: FastifyInstance): void {
  for (const type of [["application/xml", "text/xml"], /^[a-z0-9!#$&^_.-]+\/[a-z0-9!#$&^_.+-]+\+xml(?:\s*;|$)/i]) {
    app.addContentTypeParser(type, { parseAs: "buffer" }, (request, bytes, done) => {
      const encoding = bodyEncodingError(request.headers);
      if (encoding) return done(bodyRefusal(encoding), undefined);
      try {
        const body = utf8Text(bytes as Buffer);
        if (body === "") return done(null, undefined);
        done(null, parseXMLBody(body));
      } catch (error) {
        done(bodyRefusal(error as Error), undefined);
      }
    });
  }
}
