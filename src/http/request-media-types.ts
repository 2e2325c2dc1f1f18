import { errorCodes, type FastifyInstance, type FastifyRequest } from "fastify";
import { bodyRefusal } from "./body-refusal.ts";
import { jsonBodyParser } from "./json-body.ts";
import { OAuthError } from "./oauth/oauth-error.ts";

/**
 * The media types a REST API route reads its body in. Another one is refused with 415
 * Unsupported Media Type (RFC 9110 §15.5.16), as the platform's REST API reference lists it,
 * naming the type received and the ones the route reads, so the fix is in the answer.
 */
declare module "fastify" {
  interface FastifyContextConfig {
    bodyTypes?: readonly string[];
  }
}

/** Portcullis's own APIs, the Batch API, the Aggregate API. */
export const jsonBodies = ["application/json"] as const;
/** The Table API's writes and one Import Set row, as the platform's reference lists for Content-Type. */
export const jsonOrXMLBodies = ["application/json", "application/xml", "text/xml"] as const;
/** Scripted REST APIs: the platform's default request formats, and forms and text, which a script reads as sent. */
export const scriptedRestBodies = ["application/json", "application/xml", "text/xml", "*/*+xml", "application/x-www-form-urlencoded", "text/plain"] as const;

export function unsupportedMediaType(request: FastifyRequest): OAuthError {
  const accepted = request.routeOptions.config?.bodyTypes ?? jsonBodies;
  const received = request.headers["content-type"]?.slice(0, 100);
  const listed = accepted.length === 1 ? accepted[0] : `${accepted.slice(0, -1).join(", ")} or ${accepted.at(-1)}`;
  return new OAuthError("invalid_request", `unsupported media type: a request body of Content-Type: ${received} is not read here; send ${listed}`, { status: 415 });
}

/**
 * For the REST APIs' plugins only: a body sent without Content-Type is read as JSON, the
 * default the platform's Table API reference gives (Python's `requests.post(url,
 * data=json.dumps(…))` names no type); any other type no parser took is a 415. The OAuth
 * endpoints and the admin forms, whose bodies are forms, have no such default.
 */
export function readUntypedBodiesAsJSON(app: FastifyInstance): void {
  const json = jsonBodyParser(app);
  app.addContentTypeParser("*", (request, payload, done) => {
    if (request.headers["content-type"] !== undefined) return done(bodyRefusal(unsupportedMediaType(request)), undefined);
    // A page elsewhere can post a typeless Blob without a CORS preflight, and a browser adds
    // the HTTP Basic credentials it keeps for this instance: only a typed JSON body, which
    // needs the preflight, may come from a browser.
    if (request.headers.origin !== undefined || request.headers["sec-fetch-site"] !== undefined) {
      return done(bodyRefusal(new OAuthError("invalid_request", "unsupported media type: a request body without Content-Type is read as JSON only from a client that is not a browser; send Content-Type: application/json", { status: 415 })), undefined);
    }
    readText(payload, request.routeOptions.bodyLimit, request.headers["content-length"]).then(
      (text) => json(request, text, done),
      // A body cut off mid-way (the client went away) is the client's doing, not a 500, as in Fastify's own parsers.
      (error: Error & { statusCode?: number }) => done(bodyRefusal(typeof error.statusCode === "number" ? error : new OAuthError("invalid_request", "the request body did not arrive whole")), undefined),
    );
  });
}

/** The body's bytes, refused with Fastify's own 413 past the route's limit, as its parsers do. */
async function readText(payload: AsyncIterable<Buffer | string>, limit: number, declared: string | undefined): Promise<Buffer> {
  if (Number(declared) > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
