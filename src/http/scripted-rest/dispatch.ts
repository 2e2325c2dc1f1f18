import type { FastifyReply, FastifyRequest } from "fastify";
import { namespaceProblem, parseRelativePath, resolveOperation, rolesOf, type Segment, serviceIdProblem } from "../../domain/scripted-rest.ts";
import type { Instance } from "../../instance.ts";
import type { FailureKind, SandboxLimits, ScriptOutcome } from "../../scripting/sandbox-contract.ts";
import { scriptHeaderProblem } from "../../scripting/script-headers.ts";
import { runScriptOnThread } from "../../scripting/script-thread-pool.ts";
import { type ApiResources, findApiResources } from "../../store/scripted-rest-store.ts";
import { answerInXML, preferredSerialization } from "../answer-format.ts";
import { notServed } from "../body-refusal.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { xmlDocument } from "../xml/xml-document.ts";
import { type ApiPrincipal, authenticateApi } from "../table-api/api-principal.ts";
import { forbidden, notFound } from "../table-api/errors.ts";
import { dataApi } from "./data-api.ts";
import { scriptRequest } from "./script-request.ts";

/**
 * /api/{namespace}/{service_id}/… — finds the resource of a Scripted REST API for this request
 * (read from the database each time, so a change is live on every node at once), checks
 * authentication and roles as the Table API does, and runs its script in the sandbox.
 */
type Operation = ApiResources["operations"][number];

const failureText: Record<FailureKind, string> = {
  threw: "the script threw an error",
  timeout: "the script ran longer than its time limit",
  memory: "the script ran out of memory",
  output: "the script's output exceeded its size limit",
  rows: "the script read more records than its limit",
  calls: "the script made more data calls than its limit",
  "invalid-response": "the script's response was not valid",
  stalled: "the script awaited a promise that never settles",
  engine: "the script engine failed",
  "closes-function": "the stored script is not run",
};

/**
 * What is wrong with a stored script that closes its function (script-body.ts), in the answer as
 * in the log: where its '}' too many is, as a save would have said, and never the script.
 */
function notRunReason(problem: string): string {
  return `${problem}. A save refuses such a script; this one was stored without that check (by an older version, or written to the database directly). Correct it and save it again.`;
}

export function sandboxLimits(instance: Instance): SandboxLimits {
  const { scriptTimeoutMs, scriptMemoryMb, scriptOutputKb } = instance.config;
  return { timeoutMs: scriptTimeoutMs, memoryBytes: scriptMemoryMb * 1024 * 1024, outputBytes: scriptOutputKb * 1024, stackBytes: 256 * 1024, maxLogLines: 100, maxDataCalls: 1000, maxDataCallsInFlight: 4, maxRowsRead: 10_000 };
}

function pathParts(rest: string): string[] {
  if (rest === "") return [];
  const parts = rest.split("/");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

async function authorize(instance: Instance, request: FastifyRequest, op: Operation): Promise<ApiPrincipal | null> {
  // An operation open to everyone runs as guest, whatever credentials came along.
  if (op.requires_authentication !== 1) return null;
  const principal = await authenticateApi(instance, request, { api: "Scripted REST API" });
  const required = rolesOf(op.roles_required);
  if (required.length > 0 && !principal.roles.includes("admin") && !required.some((r) => principal.roles.includes(r))) {
    throw forbidden(`${principal.user.userName} lacks the role this resource requires (${required.join(", ")})`);
  }
  return principal;
}

/**
 * The body as the platform serializes it for the Accept header: {"result": …} and setError's
 * envelope in XML when the client prefers XML. A body the script typed itself goes as it is.
 */
function serialized(body: { text: string; json: boolean }, scriptTyped: boolean, xmlType: string | undefined): { type: string; text: string } | undefined {
  if (scriptTyped) return { type: "", text: body.text };
  if (!body.json) return { type: "text/plain; charset=utf-8", text: body.text };
  if (!xmlType) return { type: "application/json; charset=utf-8", text: body.text };
  try {
    return { type: `${xmlType}; charset=utf-8`, text: xmlDocument(JSON.parse(body.text)) };
  } catch {
    return undefined;
  }
}

interface Resource {
  api: ApiResources;
  op: Operation;
  pathParams: Record<string, string>;
}

/**
 * The resource a request names, or its 404 or 405; undefined for a path in a reserved namespace
 * (now, portcullis), which reaches here only when its own routes lack the method: the not-found
 * handler tells 405 from 404 there.
 */
async function findResource(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<Resource | undefined> {
  const params = request.params as { namespace: string; api_id: string; "*"?: string };
  const noSuch = () => notFound(`no such resource: ${request.method} ${(request.url.split("?")[0] ?? "").slice(0, 200)}`);
  if (namespaceProblem(params.namespace) || serviceIdProblem(params.api_id)) return undefined;
  const api = await findApiResources(instance.store.db, `/api/${params.namespace}/${params.api_id}`);
  if (!api) throw noSuch();
  const candidates = api.operations.flatMap((op) => {
    let segments: Segment[];
    try {
      segments = parseRelativePath(op.relative_path);
    } catch {
      return [];
    }
    return [{ segments, method: op.http_method, item: op }];
  });
  const resolved = resolveOperation(candidates, request.method, pathParts(params["*"] ?? ""));
  if ("notFound" in resolved) throw noSuch();
  if ("methodNotAllowed" in resolved) {
    reply.header("allow", resolved.methodNotAllowed.join(", "));
    throw new OAuthError("invalid_request", `${request.method} is not allowed here; this resource answers ${resolved.methodNotAllowed.join(", ")}`, { status: 405 });
  }
  return { api, op: resolved.found, pathParams: resolved.pathParams };
}

/** Before anything can fail: the error envelopes follow the Accept header too. */
function serializeFor(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const xmlType = preferredSerialization(request);
  if (xmlType) answerInXML(reply, xmlType);
  return xmlType;
}

/**
 * What a body the parser refused is answered after (src/http/body-refusal.ts): the request's
 * 404 or 405, then, for a resource that requires authentication, its 401 or 403, as the
 * handler checks them before its script reads the body. A resource open to everyone reads its
 * body whoever sends it, so its refusal is answered to anyone.
 */
export async function resourceBeforeBody(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<typeof notServed | undefined> {
  serializeFor(request, reply);
  const resource = await findResource(instance, request, reply);
  if (!resource) return notServed;
  await authorize(instance, request, resource.op);
  return undefined;
}

export async function scriptedRest(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const xmlType = serializeFor(request, reply);
  const resource = await findResource(instance, request, reply);
  if (!resource) return void reply.callNotFound();
  const { api, op, pathParams } = resource;
  const principal = await authorize(instance, request, op);
  const label = `${op.http_method} ${api.definition.base_uri}${op.relative_path === "/" ? "" : op.relative_path}`;
  const log = request.log.child({ scriptedRest: api.definition.base_uri, resource: op.name });
  const data = dataApi(instance, principal, log);
  let outcome: ScriptOutcome = await runScriptOnThread(
    { requestJson: scriptRequest(instance, request, principal, pathParams), script: op.operation_script, filename: `sys_ws_operation.${op.sys_id}.js` },
    sandboxLimits(instance),
    { log: (level, line) => log[level](`script: ${line}`), data },
  );
  // setHeader checked each header already; this keeps a value Node would refuse mid-reply from ever reaching it.
  const badHeader = outcome.ok ? outcome.response.headers.find(([name, value]) => scriptHeaderProblem(name, value)) : undefined;
  if (badHeader) outcome = { ok: false, kind: "invalid-response", message: `header ${badHeader[0]}: ${scriptHeaderProblem(...badHeader)}`, stack: "" };
  const scriptTyped = outcome.ok && outcome.response.headers.some(([name]) => name === "content-type");
  const answer = outcome.ok && outcome.response.body ? serialized(outcome.response.body, scriptTyped, xmlType) : undefined;
  if (outcome.ok && outcome.response.body && !answer) outcome = { ok: false, kind: "invalid-response", message: "the body could not be written as XML: it nests too deeply", stack: "" };
  if (!outcome.ok) {
    const resource = `resource "${op.name}" (${label}) of the API "${api.definition.name}"`;
    let detail: string;
    if (outcome.kind === "closes-function") {
      // The API's configuration is at fault, not the caller nor the script's run: a warning that names what to fix.
      detail = `${failureText[outcome.kind]}: ${notRunReason(outcome.message)}`;
      log.warn({ kind: outcome.kind }, `the script of the ${resource} is not run: ${notRunReason(outcome.message)}`);
    } else {
      log.error({ kind: outcome.kind, reason: outcome.message }, "script failed");
      detail = instance.config.scriptDebug ? `${outcome.message}${outcome.stack ? `\n${outcome.stack}` : ""}` : failureText[outcome.kind];
    }
    return void reply
      .code(500)
      .header("cache-control", "no-store")
      .send({ error: { message: `Script error in ${resource}`, detail }, status: "failure" });
  }
  const { status, headers, body } = outcome.response;
  reply.code(status);
  for (const [name, value] of headers) reply.header(name, value);
  if (body === null || !answer) return void reply.send();
  if (answer.type) reply.type(answer.type);
  reply.send(answer.text);
}
