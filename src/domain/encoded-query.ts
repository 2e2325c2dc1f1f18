import { dateGenerate } from "./date-generate.ts";
import { DateMacroError, evaluateDateMacro, isMacro, parseDateMacro } from "./date-macros.ts";
import type { DotWalk } from "./dot-walk.ts";
import { readScriptLiteral, ScriptLiteralError } from "./script-literal.ts";
import { unsupportedOperator, unsupportedSegment } from "./unsupported-operators.ts";

/**
 * The platform's encoded query (`active=true^priority<=2^ORshort_descriptionLIKEdisk`),
 * parsed into a tree that is compiled to parameterised SQL elsewhere. `^` joins with AND,
 * `^OR` ORs a condition with the one before it, `^NQ` starts a new query ORed with the
 * previous ones, `^^` is a literal caret. Unlike the platform, which silently drops what it
 * cannot read, anything malformed is an error naming the part that failed. A `javascript:`
 * value must be one of the date macros of date-macros.ts, replaced by its date-time here, the
 * caller's sys_id or user_name, or a quoted text (script-literal.ts), which stands for itself;
 * none is ever run.
 */
export const operators = [
  "EMPTYSTRING",
  "ISNOTEMPTY",
  "ANYTHING",
  "STARTSWITH",
  "NOT LIKE",
  "ENDSWITH",
  "ISEMPTY",
  "BETWEEN",
  "NSAMEAS",
  "NOT IN",
  "SAMEAS",
  "LIKE",
  "IN",
  "!=",
  "<=",
  ">=",
  "=",
  "<",
  ">",
] as const;
/** `ON` and `NOTON` are read apart (see parseOn): their value becomes the two date-times `start@end`. */
export type Operator = (typeof operators)[number] | "ON" | "NOTON";

export interface Condition {
  field: string;
  operator: Operator;
  value: string;
  /** Text compared as stored rather than without regard to case: a case-sensitive coalesce, never a parsed query. */
  caseSensitive?: true;
  /** Set once a dot-walked field (`caller_id.name`) has been checked against the dictionary and the caller's rights. */
  walk?: DotWalk;
}

export interface OrderBy {
  /** A field, or a dot-walk (`caller_id.name`). */
  field: string;
  descending: boolean;
  /** Set once a dot-walked field has been checked, as on a Condition. */
  walk?: DotWalk;
}

export interface EncodedQuery {
  /** ORed together (`^NQ`); each is an AND of groups; each group is an OR of conditions. */
  queries: Condition[][][];
  orderBy: OrderBy[];
}

export class QueryError extends Error {}

export interface ParseOptions {
  /** The instant date macros (`javascript:gs.beginningOfToday()`) are evaluated at; now by default. */
  now?: Date;
  /** The sys_id of the user the query runs for: `javascript:gs.getUserID()` (or `gs.getUser().getID()`) and the dynamic filter option Me. */
  userId?: string;
  /** That user's user_name: `javascript:gs.getUserName()` (or `gs.getUser().getName()`). */
  userName?: string;
}

/** What a query's macros are evaluated against. */
interface MacroContext {
  now: Date;
  userId?: string;
  userName?: string;
}

// GlideSystem's own call and its GlideUser's, which the platform's filters and scripts write alike.
const getUserId = /^javascript:\s*gs\.(?:getUserID\(\s*\)|getUser\(\s*\)\.getID\(\s*\))\s*;?\s*$/;
const getUserName = /^javascript:\s*gs\.(?:getUserName\(\s*\)|getUser\(\s*\)\.getName\(\s*\))\s*;?\s*$/;
/** The dynamic filter option "Me" (sys_filter_option_dynamic), which the platform's "is (dynamic)" writes for the signed-in user. */
export const dynamicMe = "90d1921e5f510100a9ad2572f2b477fe";
// A user's sys_id or user_name is a value to match, not a bound or a pattern.
const takesCaller = new Set<string>(["=", "!=", "IN", "NOT IN"]);

/** A field, or a dot-walk through reference fields (`caller_id.manager.name`). */
const fieldName = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*/;
const maxQueryLength = 20_000;
const maxConditions = 200;

/** Splits on single carets; a doubled caret stands for a caret in a value. */
function segments(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== "^") current += ch;
    else if (text[i + 1] === "^") {
      current += "^";
      i++;
    } else {
      out.push(current);
      current = "";
    }
  }
  out.push(current);
  return out;
}

function parseOrderBy(segment: string, descending: boolean): OrderBy {
  const field = segment.slice(descending ? "ORDERBYDESC".length : "ORDERBY".length);
  if (fieldName.exec(field)?.[0] !== field) throw new QueryError(`"${clip(segment)}" does not name a field (or a dot-walk such as caller_id.name) to order by`);
  return { field, descending };
}

/**
 * A `javascript:` operand becomes the date-time its macro names, or with `gs.getUserID()` (the
 * platform's "my records" filters: `assigned_to=javascript:gs.getUserID()`) the caller's sys_id,
 * with `gs.getUserName()` (`sys_created_by=javascript:gs.getUserName()`) the caller's user_name,
 * a quoted text (`javascript:'javascript:x'`) that text; any other is refused.
 */
function resolveOperand(operand: string, context: MacroContext, operator: string): string {
  if (!isMacro(operand)) return operand;
  if (getUserId.test(operand)) return callerValue(operand, operator, "sys_id", context.userId);
  if (getUserName.test(operand)) return callerValue(operand, operator, "user_name", context.userName);
  try {
    return readScriptLiteral(operand) ?? dateGenerate(operand) ?? evaluateDateMacro(parseDateMacro(operand), context.now);
  } catch (error) {
    throw error instanceof DateMacroError || error instanceof ScriptLiteralError ? new QueryError(error.message) : error;
  }
}

function callerValue(operand: string, operator: string, what: string, value: string | undefined): string {
  if (!takesCaller.has(operator)) throw new QueryError(`${operand.trim()} is the caller's ${what}, a value for =, !=, IN or NOT IN, not for ${operator}`);
  if (!value) throw new QueryError(`${operand.trim()} names the user a query runs for, and this one runs for none`);
  return value;
}

function resolveMacros(condition: Condition, context: MacroContext): Condition {
  if (!condition.value.includes("javascript:")) return condition;
  const { operator, value } = condition;
  if (operator === "SAMEAS" || operator === "NSAMEAS") return condition;
  const separator = operator === "BETWEEN" ? "@" : operator === "IN" || operator === "NOT IN" ? "," : undefined;
  const resolved = separator ? operands(value, separator).map((part) => listOperand(part, separator, context, operator)).join(separator) : resolveOperand(value, context, operator);
  return { ...condition, value: resolved };
}

/** One operand of a list or range: what it stands for must not hold the separator, which would split it in two. */
function listOperand(part: string, separator: string, context: MacroContext, operator: string): string {
  const text = resolveOperand(part, context, operator);
  if (text !== part && text.includes(separator)) throw new QueryError(`${clip(part.trim())} stands for a value that holds "${separator}", which ${operator} reads as the separator of its values`);
  return text;
}

/**
 * The parts of a list or range, a macro's own commas kept inside it: in
 * `sys_created_onINjavascript:gs.dateGenerate('2026-01-15','start'),2020-01-01 00:00:00` the
 * first comma is an argument's, not the list's, and in `u_noteINjavascript:'a,b',c` the quoted
 * text's.
 */
function operands(value: string, separator: string): string[] {
  const out: string[] = [];
  for (const part of value.split(separator)) {
    const last = out[out.length - 1];
    if (last !== undefined && isMacro(last) && unclosed(last)) out[out.length - 1] = `${last}${separator}${part}`;
    else out.push(part);
  }
  return out;
}

/** Whether a macro's text so far leaves a parenthesis (never counted below zero) or a quoted text open. */
function unclosed(text: string): boolean {
  let open = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else open = ch === "(" ? open + 1 : ch === ")" ? Math.max(0, open - 1) : open;
  }
  return open > 0 || quote !== undefined;
}

/**
 * The platform's list filter writes "on" and "not on" a date as a label and the two date-times
 * that bound it (`ONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()`,
 * `ONLast 7 days@javascript:gs.daysAgoStart(7)@javascript:gs.daysAgoEnd(0)`); as there, the
 * label is for people and the bounds decide, both included.
 */
function parseOn(field: string, negated: boolean, value: string, segment: string, context: MacroContext): Condition {
  const parts = value.split("@");
  if (parts.length !== 3 || parts[1] === "" || parts[2] === "")
    throw new QueryError(`${negated ? "NOTON" : "ON"} takes a label and the two date-times that bound it, joined by "@", as the platform's filter writes it (ONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()): "${clip(segment)}"`);
  const operator = negated ? "NOTON" : "ON";
  const range = `${resolveOperand(parts[1]!, context, operator)}@${resolveOperand(parts[2]!, context, operator)}`;
  return { field, operator: negated ? "NOTON" : "ON", value: range };
}

const takesNoValue = new Set<Operator>(["ISEMPTY", "ISNOTEMPTY", "ANYTHING", "EMPTYSTRING"]);
// With no value these would match every record that has one (LIKE "%%", > ""): a script's empty
// search term must not become a query for everything. `=` and `!=` keep the platform's meaning.
const needsValue = new Set<Operator>(["LIKE", "NOT LIKE", "STARTSWITH", "ENDSWITH", "<", "<=", ">", ">="]);

function parseCondition(segment: string, context: MacroContext): Condition {
  const structure = unsupportedSegment(segment);
  if (structure) throw new QueryError(`"${clip(segment)}": ${structure}`);
  const field = fieldName.exec(segment)?.[0];
  if (!field) throw new QueryError(`"${clip(segment)}" does not start with a field name (lowercase letters, digits and underscores, or a dot-walk such as caller_id.name)`);
  const rest = segment.slice(field.length);
  if (rest.startsWith("ON") || rest.startsWith("NOTON")) return parseOn(field, rest.startsWith("NOTON"), rest.slice(rest.startsWith("ON") ? 2 : 5), segment, context);
  if (rest.startsWith("DYNAMIC") && rest.slice("DYNAMIC".length) === dynamicMe) return resolveMacros({ field, operator: "=", value: "javascript:gs.getUserID()" }, context);
  const refused = unsupportedOperator(rest);
  if (refused) throw new QueryError(`"${clip(segment)}": ${refused.operator} is a platform operator this instance does not support; ${refused.reason}`);
  const operator = operators.find((op) => rest.startsWith(op));
  if (!operator) throw new QueryError(`"${clip(segment)}" has no operator this instance understands after the field "${field}"`);
  const value = rest.slice(operator.length);
  if (takesNoValue.has(operator) && value !== "") throw new QueryError(`${operator} takes no value: "${clip(segment)}"`);
  if (needsValue.has(operator) && value === "") throw new QueryError(`${operator} needs a value: "${clip(segment)}" (ISNOTEMPTY or ANYTHING match any value)`);
  if (operator === "BETWEEN" && (value.split("@").length !== 2 || value.split("@").includes(""))) throw new QueryError(`BETWEEN takes two values joined by "@": "${clip(segment)}"`);
  const condition = resolveMacros({ field, operator, value }, context);
  // A quoted empty text (`LIKEjavascript:''`) is as empty as no value.
  if (needsValue.has(operator) && condition.value === "") throw new QueryError(`${operator} needs a value: "${clip(segment)}" (ISNOTEMPTY or ANYTHING match any value)`);
  return condition;
}

export function parseEncodedQuery(text: string, options: ParseOptions = {}): EncodedQuery {
  const context: MacroContext = { now: options.now ?? new Date(), ...(options.userId ? { userId: options.userId } : {}), ...(options.userName ? { userName: options.userName } : {}) };
  if (text.length > maxQueryLength) throw new QueryError(`the query is longer than ${maxQueryLength} characters`);
  if (text.includes("\u0000")) throw new QueryError("the query contains a NUL character");
  const queries: Condition[][][] = [[]];
  const orderBy: OrderBy[] = [];
  let count = 0;
  for (const raw of segments(text)) {
    let segment = raw;
    if (segment === "" || segment === "EQ") continue;
    if (segment.startsWith("ORDERBYDESC")) orderBy.push(parseOrderBy(segment, true));
    else if (segment.startsWith("ORDERBY")) orderBy.push(parseOrderBy(segment, false));
    else if (segment.startsWith("GROUPBY")) throw new QueryError("GROUPBY is not supported in an encoded query; group with sysparm_group_by on the Aggregate API (/api/now/stats)");
    else {
      let current = queries[queries.length - 1]!;
      let or = false;
      if (segment.startsWith("NQ")) {
        if (current.length > 0) queries.push((current = []));
        segment = segment.slice(2);
      } else if (segment.startsWith("OR")) {
        if (current.length === 0) throw new QueryError(`"${clip(segment)}": ^OR must follow a condition`);
        or = true;
        segment = segment.slice(2);
      }
      if (++count > maxConditions) throw new QueryError(`the query has more than ${maxConditions} conditions`);
      const condition = parseCondition(segment, context);
      if (or) current[current.length - 1]!.push(condition);
      else current.push([condition]);
    }
  }
  return { queries: queries.filter((q) => q.length > 0), orderBy };
}

/** Every field a query names, SAMEAS operands included, so access can be checked before it runs. */
export function fieldsOfQuery(query: EncodedQuery): string[] {
  const names = new Set<string>();
  for (const q of query.queries)
    for (const group of q)
      for (const c of group) {
        names.add(c.field);
        if (c.operator === "SAMEAS" || c.operator === "NSAMEAS") names.add(c.value);
      }
  for (const o of query.orderBy) names.add(o.field);
  return [...names];
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
