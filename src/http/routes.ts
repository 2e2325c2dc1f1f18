import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../instance.ts";
import { adminRoutes } from "./admin/admin-routes.ts";
import { signOutPost } from "./admin/sign-in.ts";
import { batch } from "./api/batch.ts";
import { attachmentApiRoutes } from "./attachment-api/attachment-routes.ts";
import { whoami, whoamiCaller } from "./api/whoami.ts";
import type { ErrorFormat } from "./error-rendering.ts";
import { negotiateAnswer } from "./answer-format.ts";
import { addressLimitBeforeBody, type LimitKind } from "./rate-limit.ts";
import { authorizeGet, authorizePost } from "./oauth/authorize.ts";
import { allowAnyOrigin, allowPublicClientOrigin } from "./oauth/cors.ts";
import { introspectionEndpoint } from "./oauth/introspection.ts";
import { OAuthError } from "./oauth/oauth-error.ts";
import { authorizationServerMetadata } from "./oauth/metadata.ts";
import { revocationEndpoint } from "./oauth/revocation.ts";
import { tokenEndpoint } from "./oauth/token.ts";
import { liveness, readiness } from "./operability/health.ts";
import { paths } from "./paths.ts";
import { aggregateApiRoutes } from "./table-api/aggregate-api.ts";
import { resourceBeforeBody, scriptedRest } from "./scripted-rest/dispatch.ts";
import { registerXMLParser } from "./xml/xml-body.ts";
import { tableApiRoutes } from "./table-api/table-routes.ts";
import { importApiRoutes } from "./import-api/import-routes.ts";
import type { Config } from "../config.ts";
import { oauthRedirect, startAuthorization } from "./consumer/authorization-code-flow.ts";
import { callConnection, getConnectionToken, listConnections } from "./consumer/connections-api.ts";
import * as registry from "./consumer/registry-admin-api.ts";
import { latestRun, recordRun } from "./consumer/pipeline-run-api.ts";
import { bodyEncodingError } from "./body-encoding.ts";
import { type BeforeBody, bodyRefusal, checkBeforeBody, type RouteCheck } from "./body-refusal.ts";
import { methodsByPath } from "./method-not-allowed.ts";
import { jsonBodies, jsonOrXMLBodies, readUntypedBodiesAsJSON, scriptedRestBodies } from "./request-media-types.ts";

type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void> | void;

function postOnly(_instance: Instance, request: FastifyRequest, reply: FastifyReply): never {
  reply.header("allow", "POST");
  throw new OAuthError("invalid_request", `${request.url.split("?")[0]} takes POST, with the parameters in a form body`, { status: 405 });
}

/** The same 405 for a body the parser refused: a malformed one is no reason to answer 400 to a method never served. */
const postOnlyWhateverTheBody: RouteCheck = async (instance, request, reply) => postOnly(instance, request, reply);

/** The one table that maps the platform's wire paths to the modules that implement them. */
/** `anyType`: the answer's type is not always JSON (a script's own, an attachment's bytes), so Accept is not checked. */
/** `xmlBodies`: XML request bodies are read too (Scripted REST APIs, the Table API's writes, as the platform's accept them); elsewhere they stay refused. */
/** `xmlAnswers`: the answer is XML when the Accept header prefers it (the platform's own APIs); elsewhere JSON only. */
/** `cors`: "public-client" lets a public client's redirect origins read every answer, a refusal of an unreadable body included (src/http/oauth/cors.ts). */
/** `bodyTypes`: what an API's 415 says it reads, when not JSON (or JSON and XML, with `xmlBodies`). */
/** `beforeBody`: what the handler refuses before it reads a body (its authentication, say), checked before a refused body or a 406 is answered (src/http/body-refusal.ts). */
type Route = { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; url: string; errorFormat: ErrorFormat; rateLimitByIp?: LimitKind; bodyLimit?: number | ((config: Config) => number); handler: Handler; rawBodyLimit?: (instance: Instance) => number; anyType?: boolean; xmlBodies?: boolean; xmlAnswers?: boolean; cors?: "public-client"; bodyTypes?: readonly string[]; beforeBody?: BeforeBody };

const routes: Route[] = [
  { method: "GET", url: paths.authorize, errorFormat: "page", handler: authorizeGet },
  { method: "POST", url: paths.authorize, errorFormat: "page", handler: authorizePost },
  // The three endpoints that check a client's secret share one allowance per address, so a guesser
  // gains no tries by spreading them over the three. The token endpoint counts its own hits: the
  // address and the client in one write (src/http/oauth/token.ts). Each counts a body the parser
  // refuses against the address too, and past its limit answers 429 before the refusal.
  { method: "POST", url: paths.token, errorFormat: "oauth", cors: "public-client", handler: tokenEndpoint, beforeBody: addressLimitBeforeBody("token-ip") },
  { method: "POST", url: paths.revoke, errorFormat: "oauth", cors: "public-client", rateLimitByIp: "token-ip", handler: revocationEndpoint, beforeBody: addressLimitBeforeBody("token-ip") },
  { method: "POST", url: paths.introspect, errorFormat: "oauth", rateLimitByIp: "token-ip", handler: introspectionEndpoint, beforeBody: addressLimitBeforeBody("token-ip") },
  // RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1: POST only. Another method is told so, in JSON, rather than given the HTML "no such page".
  ...[paths.token, paths.revoke, paths.introspect].flatMap((url) => (["GET", "PUT", "PATCH", "DELETE"] as const).map((method) => ({ method, url, errorFormat: "oauth" as const, handler: postOnly, beforeBody: postOnlyWhateverTheBody }))),
  { method: "GET", url: paths.metadata, errorFormat: "oauth", handler: (instance, _request, reply) => void allowAnyOrigin(reply).send(authorizationServerMetadata(instance)) },
  { method: "GET", url: paths.whoami, errorFormat: "api", handler: whoami, beforeBody: async (instance, request) => void (await whoamiCaller(instance, request)) },
  { method: "POST", url: paths.batch, errorFormat: "api", bodyLimit: 8 * 1024 * 1024, handler: batch, beforeBody: "Batch API" },
  // A probe's Accept (text/plain, say) must never turn a healthy node into a 406 and out of rotation.
  { method: "GET", url: paths.health, errorFormat: "api", handler: liveness, anyType: true },
  { method: "GET", url: paths.ready, errorFormat: "api", handler: readiness, anyType: true },
  { method: "POST", url: paths.logout, errorFormat: "page", handler: signOutPost },
  // The admin UI: sign-in at "/", the navigator's modules under /admin.
  ...adminRoutes().map((route) => ({ ...route, errorFormat: "page" as const })),
  // Writes take XML bodies too, as the platform's Table API does (Content-Type: application/xml).
  ...tableApiRoutes().map((route) => ({ ...route, errorFormat: "api" as const, xmlAnswers: true, xmlBodies: route.method !== "GET" && route.method !== "DELETE", beforeBody: "Table API" as const })),
  ...aggregateApiRoutes().map((route) => ({ ...route, errorFormat: "api" as const, xmlAnswers: true, beforeBody: "Aggregate API" as const })),
  ...attachmentApiRoutes().map((route) => ({ ...route, errorFormat: "api" as const, xmlAnswers: true, beforeBody: "Attachment API" as const })),
  // insertMultiple bodies grow with PORTCULLIS_IMPORT_MAX_RECORDS: about 1 KiB a record, at least 8 MiB.
  // One staging row may be XML, as the platform's reference allows; insertMultiple's {"records": […]} has no documented XML form.
  ...importApiRoutes().map(({ bulk, ...route }) => ({ ...route, errorFormat: "api" as const, xmlAnswers: true, beforeBody: "Import Set API" as const, xmlBodies: route.method === "POST" && !bulk, ...(bulk ? { bodyLimit: (c: Config) => Math.max(8 << 20, c.importMaxRecords * 1024) } : {}) })),
  { method: "GET", url: paths.oauthRedirect, errorFormat: "page", handler: oauthRedirect },
  { method: "GET", url: paths.connections, errorFormat: "api", handler: listConnections, beforeBody: "admin" },
  { method: "GET", url: `${paths.connections}/:id/authorize`, errorFormat: "page", handler: startAuthorization },
  { method: "POST", url: `${paths.connections}/:id/token`, errorFormat: "api", handler: getConnectionToken, beforeBody: "admin" },
  { method: "POST", url: `${paths.connections}/:id/call`, errorFormat: "api", handler: callConnection, beforeBody: "admin" },
  { method: "GET", url: `${paths.registry}/endpoints`, errorFormat: "api", handler: registry.listEndpoints, beforeBody: "admin" },
  { method: "POST", url: `${paths.registry}/endpoints`, errorFormat: "api", handler: registry.createEndpoint, beforeBody: "admin" },
  { method: "GET", url: `${paths.registry}/endpoints/:id`, errorFormat: "api", handler: registry.getEndpoint, beforeBody: "admin" },
  { method: "PATCH", url: `${paths.registry}/endpoints/:id`, errorFormat: "api", handler: registry.updateEndpoint, beforeBody: "admin" },
  { method: "DELETE", url: `${paths.registry}/endpoints/:id`, errorFormat: "api", handler: registry.deleteEndpoint, beforeBody: "admin" },
  { method: "POST", url: `${paths.registry}/endpoints/:id/regenerate_secret`, errorFormat: "api", handler: registry.regenerateEndpointSecret, beforeBody: "admin" },
  { method: "GET", url: `${paths.registry}/providers`, errorFormat: "api", handler: registry.listProviderRecords, beforeBody: "admin" },
  { method: "POST", url: `${paths.registry}/providers`, errorFormat: "api", handler: registry.createProviderRecord, beforeBody: "admin" },
  { method: "GET", url: `${paths.registry}/providers/:id`, errorFormat: "api", handler: registry.getProviderRecord, beforeBody: "admin" },
  { method: "DELETE", url: `${paths.registry}/providers/:id`, errorFormat: "api", handler: registry.deleteProviderRecord, beforeBody: "admin" },
  { method: "PATCH", url: `${paths.registry}/providers/:id`, errorFormat: "api", handler: registry.updateProviderRecord, beforeBody: "admin" },
  // Scripted REST APIs: the static paths above win; what is left under /api/{namespace}/{api_id} is looked up per request.
  // Each resource says whether it requires authentication: one open to everyone reads its body whoever sends it.
  ...(["GET", "POST", "PUT", "PATCH", "DELETE"] as const).flatMap((method) =>
    [paths.scriptedRest, `${paths.scriptedRest}/*`].map((url) => ({ method, url, errorFormat: "api" as const, handler: scriptedRest, anyType: true, xmlBodies: true, bodyTypes: scriptedRestBodies, beforeBody: resourceBeforeBody })),
  ),
  { method: "POST", url: paths.pipelineRuns, errorFormat: "api", handler: recordRun, beforeBody: "admin" },
  { method: "GET", url: `${paths.pipelineRuns}/latest`, errorFormat: "api", handler: latestRun, beforeBody: "admin" },
];

/**
 * The Accept header, checked before the body is read. A 406 is answered, as a refused body is
 * (body-refusal.ts), only to a caller the API serves: one without credentials gets its 401
 * first, and learns nothing of what the API answers. Only the 406's path pays for the check;
 * an acceptable Accept goes on at once, without the promise an async hook costs every call.
 */
function negotiate(instance: Instance, offer: "json" | "json-or-xml") {
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    try {
      negotiateAnswer(request, reply, offer);
    } catch (notAcceptable) {
      // A 429 still comes first: the login limit guards the password check itself (checkBasicPassword), so it precedes what that check opens.
      checkBeforeBody(instance, request, reply).then(() => done(notAcceptable as Error), done);
      return;
    }
    done();
  };
}

function addRoute(app: FastifyInstance, instance: Instance, route: Route, limit = route.bodyLimit): void {
  const bodyLimit = typeof limit === "function" ? limit(instance.config) : limit;
  const checkAccept = route.errorFormat === "api" && !route.anyType;
  const offer = route.xmlAnswers ? "json-or-xml" : "json";
  const bodyTypes = route.errorFormat !== "api" ? undefined : (route.bodyTypes ?? (route.xmlBodies ? jsonOrXMLBodies : jsonBodies));
  // An API's answer is one caller's data, read with their credentials: no browser cache may keep
  // it for the next user of the machine, nor a proxy for another caller (RFC 9111 §5.2.2.5). A
  // handler that means otherwise (an attachment's bytes, a script's own answer) sets its own.
  const noStore = route.errorFormat === "api";
  const run = noStore
    ? (request: FastifyRequest, reply: FastifyReply) => {
        reply.header("cache-control", "no-store");
        return route.handler(instance, request, reply);
      }
    : (request: FastifyRequest, reply: FastifyReply) => route.handler(instance, request, reply);
  app.route({
    method: route.method,
    url: route.url,
    ...(bodyLimit ? { bodyLimit } : {}),
    config: { errorFormat: route.errorFormat, ...(bodyTypes ? { bodyTypes } : {}), ...(route.rateLimitByIp ? { rateLimitByIp: route.rateLimitByIp } : {}), ...(route.beforeBody ? { beforeBody: route.beforeBody } : {}) },
    ...(checkAccept ? { onRequest: negotiate(instance, offer) } : {}),
    // onSend, not the handler: the body parser's own refusals (a type it does not read, too large) reach here too.
    ...(route.cors === "public-client" ? { onSend: async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => (await allowPublicClientOrigin(instance, request, reply), payload) } : {}),
    // Returning the reply tells Fastify the handler answered: one that resolved with nothing while
    // the async CORS onSend step was still running was taken to have answered nothing, and
    // Fastify's second answer logged and counted every success as a 500. Only those routes pay
    // for the extra promise: on the bearer GET it measured 1.08× the CPU.
    handler: route.cors
      ? async (request, reply) => {
          await run(request, reply);
          return reply;
        }
      : run,
  });
}

/**
 * The methods each served path answers, for the 405 of one it does not (src/http/method-not-allowed.ts).
 * Scripted REST APIs answer their own 405s (which paths they serve is in the database), and the
 * POST-only endpoints' other-method routes are there only to refuse.
 */
export const methodsAt = methodsByPath(routes.filter((route) => route.handler !== scriptedRest && route.handler !== postOnly));

export function registerRoutes(app: FastifyInstance, instance: Instance): void {
  // The OAuth endpoints and the pages read forms by their own rules (RFC 6749 §3.2, CSRF tokens): no body without a type.
  for (const route of routes) if (!route.rawBodyLimit && !route.xmlBodies && route.errorFormat !== "api") addRoute(app, instance, route);
  void app.register(async (api) => {
    readUntypedBodiesAsJSON(api);
    for (const route of routes) if (!route.rawBodyLimit && !route.xmlBodies && route.errorFormat === "api") addRoute(api, instance, route);
  });
  // A parser registered in a plugin of its own applies to that plugin's routes only: the others still refuse XML (a 415 naming what they read).
  void app.register(async (xml) => {
    registerXMLParser(xml);
    readUntypedBodiesAsJSON(xml);
    for (const route of routes) if (route.xmlBodies) addRoute(xml, instance, route);
  });
  // Uploads take their body as bytes whatever its content type: a JSON file stays a file.
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
      // A file's own type may name any charset; only a compressed transfer is refused.
      const refused = bodyEncodingError(request.headers, { charset: false });
      if (refused) return done(bodyRefusal(refused), undefined);
      done(null, body);
    });
    for (const route of routes) if (route.rawBodyLimit) addRoute(raw, instance, route, route.rawBodyLimit(instance));
  });
}
