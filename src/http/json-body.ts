import type { FastifyInstance, FastifyRequest } from "fastify";
import { bodyEncodingError } from "./body-encoding.ts";
import { bodyRefusal } from "./body-refusal.ts";
import { maxBodyDepth, nestsTooDeep } from "./body-depth.ts";
import { OAuthError } from "./oauth/oauth-error.ts";
import { holdsLoneSurrogate, utf8Text } from "./utf8-body.ts";

/**
 * JSON bodies, parsed by Fastify's own parser (which refuses __proto__ and constructor
 * poisoning), except that an empty body is no body: pysnow sends Content-Type:
 * application/json on every request, bodiless DELETEs included, as the platform accepts.
 */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, jsonBodyParser(app));
}

export type JSONBodyParser = (request: FastifyRequest, body: Buffer | string, done: (error: Error | null, body?: unknown) => void) => void;

/** The JSON parser itself, for a body read as JSON without saying so (src/http/request-media-types.ts). */
export function jsonBodyParser(app: FastifyInstance): JSONBodyParser {
  const parse = app.getDefaultJsonParser("error", "error");
  return (request, bytes, done) => {
    const refused = bodyEncodingError(request.headers);
    if (refused) return done(bodyRefusal(refused), undefined);
    let body: string;
    try {
      body = utf8Text(bytes);
    } catch (error) {
      return done(bodyRefusal(error as Error), undefined);
    }
    if (body === "") return done(null, undefined);
    if (nestsTooDeep(body)) return done(bodyRefusal(new OAuthError("invalid_request", `the JSON body could not be read: it nests deeper than ${maxBodyDepth} levels`)), undefined);
    parse(request, body, (error, value) => {
      if (!error && holdsLoneSurrogate(value)) return done(bodyRefusal(new OAuthError("invalid_request", "the JSON body could not be read: a string in it holds half of a surrogate pair (a \\uD800–\\uDFFF escape without its other half), which is not a Unicode character")), undefined);
      if (!error) return done(null, value);
      // Fastify words every refusal "Body is not valid JSON"; say which it was and where.
      let reason: string;
      try {
        JSON.parse(body);
        reason = "it names __proto__ or constructor.prototype, which is refused";
      } catch (syntax) {
        // Only where: V8's message quotes the body, which may hold a password.
        const position = /position (\d+)/.exec((syntax as Error).message)?.[1];
        reason = position === undefined ? "it is not valid JSON" : `it is not valid JSON at character ${position}`;
      }
      done(bodyRefusal(new OAuthError("invalid_request", `the JSON body could not be read: ${reason}`)), undefined);
    });
  };
}
