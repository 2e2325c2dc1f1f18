/**
 * An answer as the platform writes it in XML (Accept: application/xml): the JSON envelope's
 * members as elements of a <response> root, a list as its element repeated. Its REST API
 * Explorer answers a list GET with
 *
 *   <?xml version="1.0" encoding="UTF-8"?><response><result><number>INC0000060</number>…
 *   <caller_id><link>https://…/api/now/table/sys_user/681c…</link><value>681c…</value></caller_id></result></response>
 *
 * on one line, and clients read a list of records as the repeated `response.result`. The same
 * rule writes a single record, the Aggregate API's stats, the Import Set API's answers and the
 * error envelope (<response><error><message/><detail/></error><status>failure</status></response>).
 */
const prolog = '<?xml version="1.0" encoding="UTF-8"?>';

/** Objects nest this deep at most; a script's answer could otherwise exhaust the stack. */
const maxDepth = 1000;

// XML 1.0 (fifth edition) §2.3 Name without the colon (Namespaces in XML §3, NCName): a colon
// would be read as an undeclared prefix.
const nameStart = "A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const ncName = new RegExp(`^[${nameStart}][${nameStart}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`, "u");
const plainName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// Characters XML 1.0 cannot carry at all, not even as a reference (§2.2): controls other than
// tab, newline and carriage return, U+FFFE, U+FFFF, and a surrogate without its pair.
const needsEscape = /[&<>"\r\t\n\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const escapable = /[&<>"\r\t\n]|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/g;

const inText: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", '"': '"', "\t": "\t", "\n": "\n" };
const inAttribute: Record<string, string> = { ...inText, '"': "&quot;", "\t": "&#9;", "\n": "&#10;" };

function escaped(text: string, table: Record<string, string>): string {
  if (!needsEscape.test(text)) return text;
  // A carriage return is written as a reference, or a parser would turn it into a newline (§2.11).
  return text.replace(escapable, (c) => table[c] ?? (c.length === 2 ? c : "\uFFFD"));
}

/** A member whose name is not an XML name keeps its name in an attribute instead of breaking the document. */
function openTag(name: string): { open: string; close: string } {
  if (plainName.test(name) || ncName.test(name)) return { open: `<${name}`, close: `</${name}>` };
  return { open: `<item key="${escaped(name, inAttribute)}"`, close: "</item>" };
}

function write(out: string[], name: string, value: unknown, depth: number): void {
  if (depth > maxDepth) throw new RangeError(`the answer nests deeper than ${maxDepth} levels`);
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") value = (value as { toJSON(): unknown }).toJSON();
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return;
  if (Array.isArray(value)) {
    for (const item of value) write(out, name, item, depth + 1);
    return;
  }
  const tag = openTag(name);
  if (value === null || value === "") {
    out.push(`${tag.open}/>`);
  } else if (typeof value === "object") {
    out.push(`${tag.open}>`);
    writeMembers(out, value as Record<string, unknown>, depth + 1);
    out.push(tag.close);
  } else {
    out.push(`${tag.open}>${escaped(String(value), inText)}${tag.close}`);
  }
}

function writeMembers(out: string[], members: Record<string, unknown>, depth: number): void {
  for (const name of Object.keys(members)) write(out, name, members[name], depth);
}

/** The whole document for a JSON answer: an object's members under <response>, anything else as its result. */
export function xmlDocument(answer: unknown): string {
  const out = [prolog, "<response>"];
  if (answer !== null && typeof answer === "object" && !Array.isArray(answer)) writeMembers(out, answer as Record<string, unknown>, 0);
  else write(out, "result", answer, 0);
  out.push("</response>");
  return out.join("");
}
