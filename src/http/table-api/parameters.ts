import type { FastifyRequest } from "fastify";
import { type FieldDef, fieldOf, type TableDef } from "../../domain/dictionary.ts";
import { type EncodedQuery, fieldsOfQuery, parseEncodedQuery } from "../../domain/encoded-query.ts";
import { mayReadField, readableFields } from "./acl.ts";
import type { ApiPrincipal } from "./api-principal.ts";
import { badRequest, forbidden } from "./errors.ts";

/** The platform's `sysparm_*` parameters, each read once, checked, and typed. */
export type DisplayValueMode = "false" | "true" | "all";

export interface OutputParams {
  fields: FieldDef[];
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

/** Fields named in sysparm_fields must exist; role-masked ones are left out, as the platform does. */
function outputFields(query: Query, principal: ApiPrincipal, table: TableDef): FieldDef[] {
  const list = single(query, "sysparm_fields");
  if (list === undefined || list.trim() === "") return readableFields(principal, table);
  const names = [...new Set(list.split(",").map((n) => n.trim()).filter(Boolean))];
  const fields: FieldDef[] = [];
  for (const name of names) {
    if (name.includes(".")) throw badRequest(`sysparm_fields: "${name.slice(0, 60)}" dot-walks a reference, which this instance does not support`);
    const field = fieldOf(table, name);
    if (!field || field.secret) throw badRequest(`sysparm_fields: the table ${table.name} has no field "${name.slice(0, 60)}"`);
    if (mayReadField(principal, field)) fields.push(field);
  }
  return fields;
}

export function readOutputParams(request: FastifyRequest, principal: ApiPrincipal, table: TableDef): OutputParams {
  const query = (request.query ?? {}) as Query;
  const displayValue = (single(query, "sysparm_display_value") || "false").toLowerCase();
  if (displayValue !== "false" && displayValue !== "true" && displayValue !== "all") throw badRequest(`sysparm_display_value must be true, false or all, not "${displayValue.slice(0, 40)}"`);
  single(query, "sysparm_view");
  return {
    fields: outputFields(query, principal, table),
    displayValue,
    excludeReferenceLink: flag(query, "sysparm_exclude_reference_link"),
    inputDisplayValue: flag(query, "sysparm_input_display_value"),
  };
}

/** sysparm_query, parsed with its date macros evaluated at `now`, naming only fields the caller may read. */
export function readEncodedQuery(request: FastifyRequest, principal: ApiPrincipal, table: TableDef, now: Date): EncodedQuery {
  return checkedQuery(single((request.query ?? {}) as Query, "sysparm_query") ?? "", principal, table, now);
}

/** An encoded query over fields that exist and that the caller may read; date macros evaluated at `now`. */
export function checkedQuery(text: string, principal: ApiPrincipal, table: TableDef, now: Date): EncodedQuery {
  const encoded = parseEncodedQuery(text, { now });
  for (const name of fieldsOfQuery(encoded)) {
    const field = fieldOf(table, name);
    if (!field || field.secret) throw badRequest(`sysparm_query: the table ${table.name} has no field "${name}"`);
    // Filtering on a masked field would reveal it one guess at a time.
    if (!mayReadField(principal, field)) throw forbidden(`sysparm_query: ${principal.user.userName} may not read the field ${table.name}.${name}`);
  }
  return encoded;
}

export function readListParams(request: FastifyRequest, principal: ApiPrincipal, table: TableDef, now: Date): ListParams {
  const query = (request.query ?? {}) as Query;
  return {
    ...readOutputParams(request, principal, table),
    query: readEncodedQuery(request, principal, table, now),
    limit: Math.min(wholeNumber(query, "sysparm_limit", defaultLimit, 1), defaultLimit),
    offset: wholeNumber(query, "sysparm_offset", 0, 0),
    suppressPaginationHeader: flag(query, "sysparm_suppress_pagination_header"),
    noCount: flag(query, "sysparm_no_count"),
  };
}
