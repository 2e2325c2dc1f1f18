import type { FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import type { ApiPrincipal } from "../table-api/api-principal.ts";
import { XMLBody } from "../xml/xml-body.ts";

/**
 * The JSON of what a script sees of its HTTP request; the sandbox turns it into ServiceNow's
 * RESTAPIRequest (src/scripting/rest-api-request.ts).
 */

/** Credentials and session cookies never reach a script. */
const hiddenHeaders = new Set(["authorization", "cookie", "proxy-authorization"]);

/** A form body as the script sees it: each field's value, or the list of them when a field repeats. */
function formFields(form: URLSearchParams): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const name of new Set(form.keys())) {
    const values = form.getAll(name);
    fields[name] = values.length === 1 ? values[0]! : values;
  }
  return fields;
}

/**
 * RESTAPIRequest's queryParams: every parameter's values as a list of strings, as the platform
 * documents (`queryParams.active` is ["false"] for ?active=false). A form body's fields join
 * them, as the platform combines a form's key-value pairs with the query's. Without a
 * prototype, so a parameter named __proto__ is a parameter like any other.
 */
function queryParams(queryString: string, body: unknown): Record<string, string[]> {
  const params: Record<string, string[]> = Object.create(null);
  const sources = body instanceof URLSearchParams ? [new URLSearchParams(queryString), body] : [new URLSearchParams(queryString)];
  for (const source of sources) for (const [name, value] of source) (params[name] ??= []).push(value);
  return params;
}

/**
 * RESTAPIRequestBody's `data` and `dataString`. The body parsers keep no raw text, so a JSON
 * body's dataString is its value written again (same JSON, its spacing not kept) and a form's is
 * its fields encoded again; text and XML arrive as sent.
 */
function requestBody(body: unknown): { data?: unknown; dataString: string } {
  if (body === undefined) return { dataString: "" };
  if (body instanceof URLSearchParams) return { data: formFields(body), dataString: body.toString() };
  if (body instanceof XMLBody) return { data: body.data, dataString: body.text };
  if (typeof body === "string") return { data: body, dataString: body };
  return { data: body, dataString: JSON.stringify(body) };
}

export function scriptRequest(instance: Instance, request: FastifyRequest, principal: ApiPrincipal | null, pathParams: Record<string, string>): string {
  // Node lowercases header names; the sandbox looks them up without regard to case.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (!hiddenHeaders.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const [uri = "", queryString = ""] = request.url.split(/\?(.*)/s);
  return JSON.stringify({
    method: request.method,
    uri,
    url: `${instance.config.publicUrl}${request.url}`,
    queryString,
    pathParams,
    queryParams: queryParams(queryString, request.body),
    headers,
    body: requestBody(request.body),
    userName: principal ? principal.user.userName : "guest",
    userId: principal ? principal.user.sysId : "",
    userDisplayName: principal ? principal.user.name : "Guest",
    roles: principal ? principal.roles : [],
  });
}
