import type { FastifyInstance } from "fastify";
import { bodyEncodingError } from "./body-encoding.ts";

/**
 * JSON bodies, parsed by Fastify's own parser (which refuses __proto__ and constructor
 * poisoning), except that an empty body is no body: pysnow sends Content-Type:
 * application/json on every request, bodiless DELETEs included, as the platform accepts.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const refused = bodyEncodingError(request.headers);
    if (refused) return done(refused, undefined);
    if (body === "") return done(null, undefined);
    parse(request, body as string, done);
  });
}
