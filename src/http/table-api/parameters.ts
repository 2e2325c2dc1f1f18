import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { type FieldDef, fieldOf, type TableDef } from "../../domain/dictionary.ts";
import { type DotWalk, isDotWalk, walkedFieldDef } from "../../domain/dot-walk.ts";
import { type Condition, type EncodedQuery, fieldsOfQuery, parseEncodedQuery } from "../../domain/encoded-query.ts";
import type { Database } from "../../store/schema.ts";
import { mayReadField, readableFields } from "./acl.ts";
import type { ApiPrincipal } from "./api-principal.ts";
import { resolveDotWalk } from "./dot-walk-access.ts";
import { badRequest, forbidden } from "./errors.ts";
import { withDisplayValue } from "./name-value-display.ts";

/** The platform's `sysparm_*` parameters and name-value pairs, each read once, checked, and typed. */
export type DisplayValueMode = "false" | "true" | "all";

export interface OutputParams {
  /** In the order asked; a dot-walked one is named by its path (walkedFieldDef). */
  fields: FieldDef[];
  /** The dot-walked fields among them, whose values are read after the records (dot-walk-values.ts). */
  walks: DotWalk[];
  displayValue: DisplayValueMode;
  excludeReferenceLink: boolean;
  inputDisplayValue: boolean;
}

export interface ListParams extends OutputParams {
  query: EncodedQuery;
  limit: number;
  offset: number;
  suppressPaginationHeader: boolean;
  noCount: boolean;
}

export const defaultLimit = 10_000;

export type Query = Record<string, string | string[] | undefined>;

export function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw badRequest(`the parameter ${name} was sent more than once`);
  return value;
}

/** Any case: pysnow sends Python's True and False as they print. */
export function flag(query: Query, name: string): boolean {
  const value = single(query, name);
  if (value === undefined || value === "" || value.toLowerCase() === "false") return false;
  if (value.toLowerCase() === "true") return true;
  throw badRequest(`${name} must be true or false, not "${value.slice(0, 40)}"`);
}

function wholeNumber(query: Query, name: string, fallback: number, min: number): number {
  const value = single(query, name);
  if (value === undefined || value === "") return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min) throw badRequest(`${name} must be a whole number from ${min} to 999999999, not "${value.slice(0, 40)}"`);
  return Number(value);
}

/**
 * Fields named in sysparm_fields must exist; role-masked ones are left out, as the platform does.
 * A dot-walk (`caller_id.email`) answers under its path, and is left out the same way when any
 * step of it is masked for the caller.
 */
async function outputFields(query: Query, principal: ApiPrincipal, table: TableDef, db: Kysely<Database>): Promise<Pick<OutputParams, "fields" | "walks">> {
  const list = single(query, "sysparm_fields");
  if (list === undefined || list.trim() === "") return { fields: readableFields(principal, table), walks: [] };
  const names = [...new Set(list.split(",").map((n) => n.trim()).filter(Boolean))];
  const fields: FieldDef[] = [];
  const walks: DotWalk[] = [];
  for (const name of names) {
    if (isDotWalk(name)) {
      const access = await resolveDotWalk(db, principal, table, name, "sysparm_fields");
      if ("walk" in access) {
        walks.push(access.walk);
        fields.push(walkedFieldDef(access.walk));
      }
      continue;
    }
    const field = fieldOf(table, name);
    if (!field || field.secret) throw badRequest(`sysparm_fields: the table ${table.name} has no field "${name.slice(0, 60)}"`);
    if (mayReadField(principal, field)) fields.push(field);
  }
  return { fields, walks };
}

export async function readOutputParams(request: FastifyRequest, principal: ApiPrincipal, table: TableDef, db: Kysely<Database>): Promise<OutputParams> {
  const query = (request.query ?? {}) as Query;
  const displayValue = (single(query, "sysparm_display_value") || "false").toLowerCase();
  if (displayValue !== "false" && displayValue !== "true" && displayValue !== "all") throw badRequest(`sysparm_display_value must be true, false or all, not "${displayValue.slice(0, 40)}"`);
  single(query, "sysparm_view");
  return {
    ...(await outputFields(query, principal, table, db)),
    displayValue,
    excludeReferenceLink: flag(query, "sysparm_exclude_reference_link"),
    inputDisplayValue: flag(query, "sysparm_input_display_value"),
  };
}

/**
 * The records a request selects: sysparm_query ANDed with its name-value pairs, date macros
 * evaluated at `now`, naming only fields the caller may read.
 */
export async function readEncodedQuery(request: FastifyRequest, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<EncodedQuery> {
  return encodedQueryOf((request.query ?? {}) as Query, principal, table, now, db);
}

/** sysparm_query and the name-value pairs of a set of query parameters, as readEncodedQuery reads a request's. */
export async function encodedQueryOf(query: Query, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<EncodedQuery> {
  const encoded = await checkedQuery(single(query, "sysparm_query") ?? "", principal, table, now, db);
  const pairs = await nameValuePairs(query, principal, table, now, db);
  return pairs.length === 0 ? encoded : { ...encoded, queries: andEach(encoded.queries, pairs) };
}

/** An encoded query over fields that exist and that the caller may read; date macros evaluated at `now`. */
export async function checkedQuery(text: string, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<EncodedQuery> {
  return checkFields(parseEncodedQuery(text, { now, userId: principal.user.sysId, userName: principal.user.userName }), "sysparm_query", principal, table, db);
}

async function checkFields(encoded: EncodedQuery, source: string, principal: ApiPrincipal, table: TableDef, db: Kysely<Database>): Promise<EncodedQuery> {
  const walks = new Map<string, DotWalk>();
  for (const name of fieldsOfQuery(encoded)) {
    if (isDotWalk(name)) {
      const access = await resolveDotWalk(db, principal, table, name, source);
      // As for a masked field of the table itself: a filter would reveal the value one guess at a
      // time, and an ORDERBY would rank the records by it.
      if ("denied" in access) throw forbidden(`${source}: ${access.denied}`);
      walks.set(name, access.walk);
      continue;
    }
    const field = fieldOf(table, name);
    if (!field || field.secret) throw badRequest(`${source}: the table ${table.name} has no field "${name}"`);
    // Filtering on a masked field would reveal it one guess at a time.
    if (!mayReadField(principal, field)) throw forbidden(`${source}: ${principal.user.userName} may not read the field ${table.name}.${name}`);
  }
  return walks.size === 0 ? encoded : withWalks(encoded, walks, source);
}

/** Each condition on, and each ORDERBY of, a dot-walked field carries its checked walk to the SQL compiler. */
function withWalks(encoded: EncodedQuery, walks: ReadonlyMap<string, DotWalk>, source: string): EncodedQuery {
  const walked = (c: Condition): Condition => {
    if ((c.operator === "SAMEAS" || c.operator === "NSAMEAS") && (isDotWalk(c.field) || isDotWalk(c.value)))
      throw badRequest(`${source}: ${c.operator} compares two fields of the table itself; "${`${c.field}${c.operator}${c.value}`.slice(0, 80)}" dot-walks`);
    const walk = walks.get(c.field);
    return walk ? { ...c, walk } : c;
  };
  const orderBy = encoded.orderBy.map((o) => {
    const walk = walks.get(o.field);
    return walk ? { ...o, walk } : o;
  });
  return { queries: encoded.queries.map((q) => q.map((group) => group.map(walked))), orderBy };
}

/**
 * The platform's Table API GET and Aggregate API read every parameter that is not sysparm_*
 * as `field=value` (`?active=true&priority=1`), ANDed with sysparm_query. Each is parsed as that
 * text in sysparm_query would be (an empty value is ISEMPTY, date macros are evaluated), but a
 * choice's label or a referenced record's display value may stand for the value, as the
 * platform's reference allows for pairs only (name-value-display.ts). A name
 * that is no field of the table is a 400, as in sysparm_query: the platform ignores it and
 * answers with every record, which a script then updates or deletes.
 */
async function nameValuePairs(query: Query, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<Condition[][]> {
  const groups: Condition[][] = [];
  for (const name of Object.keys(query)) {
    // `_` is the cache-buster jQuery and others add to a GET (`?_=1733500000000`): no field is named so.
    // A sysparm_* name was checked against the API's own (sysparm-names.ts) before this is read.
    if (name.startsWith("sysparm_") || name === "_") continue;
    // A dot-walk (`?caller_id.name=Ada`) is checked step by step, as in sysparm_query.
    const walks = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/.test(name);
    const field = fieldOf(table, name);
    if (!walks && (!field || field.secret || !/^[a-z][a-z0-9_]*$/.test(name)))
      throw badRequest(`the parameter "${name.slice(0, 60)}" is not a field of ${table.name}; a parameter other than sysparm_* filters records as field=value`);
    const value = (single(query, name) ?? "").replaceAll("^", "^^");
    const source = `the parameter ${name}`;
    const parsed = await checkFields(parseEncodedQuery(`${name}=${value}`, { now, userId: principal.user.sysId, userName: principal.user.userName }), source, principal, table, db);
    for (const group of parsed.queries.flat()) {
      const read: Condition[] = [];
      for (const condition of group) read.push(...(await withDisplayValue(condition, { principal, table, db, source })));
      groups.push(read);
    }
  }
  return groups;
}

/** (Q1 OR Q2) AND c is (Q1 AND c) OR (Q2 AND c): the pairs join every ^NQ query. */
function andEach(queries: Condition[][][], groups: Condition[][]): Condition[][][] {
  return queries.length === 0 ? [groups] : queries.map((q) => [...q, ...groups]);
}

export async function readListParams(request: FastifyRequest, principal: ApiPrincipal, table: TableDef, now: Date, db: Kysely<Database>): Promise<ListParams> {
  const query = (request.query ?? {}) as Query;
  return {
    ...(await readOutputParams(request, principal, table, db)),
    query: await readEncodedQuery(request, principal, table, now, db),
    limit: Math.min(wholeNumber(query, "sysparm_limit", defaultLimit, 1), defaultLimit),
    offset: wholeNumber(query, "sysparm_offset", 0, 0),
    suppressPaginationHeader: flag(query, "sysparm_suppress_pagination_header"),
    noCount: flag(query, "sysparm_no_count"),
  };
}
