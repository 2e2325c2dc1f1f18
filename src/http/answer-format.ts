import Negotiator from "negotiator";
import type { FastifyReply, FastifyRequest } from "fastify";
import { OAuthError } from "./oauth/oauth-error.ts";
import { xmlDocument } from "./xml/xml-document.ts";

/**
 * Content negotiation for the REST APIs (RFC 9110 §12.5.1). The platform's Table, Aggregate,
 * Attachment and Import Set APIs answer application/json or application/xml, JSON by default
 * (their reference pages list both for Accept); Portcullis's own APIs answer JSON only. A request
 * whose Accept excludes every type an API can send is a 406, in JSON, and changes nothing.
 *
 * No Accept, application/json and *\/* return before any parsing: the bench's hot path.
 */
type Offer = "json" | "json-or-xml";

const jsonFirst = ["application/json", "application/xml", "text/xml"];
const cheap = (accept: string | undefined): boolean => accept === undefined || accept === "application/json" || accept === "*/*" || accept.trim() === "";

export function assertAcceptsJson(request: FastifyRequest): void {
  negotiateAnswer(request, undefined, "json");
}

/** Checks the Accept header; when XML wins, the reply writes every object it sends as an XML document. */
export function negotiateAnswer(request: FastifyRequest, reply: FastifyReply | undefined, offer: Offer): void {
  // A cache must not hand the JSON answer to a client that asked for XML (RFC 9110 §12.5.5).
  if (offer === "json-or-xml") reply?.header("vary", "Accept");
  const accept = request.headers.accept;
  if (cheap(accept)) return;
  const header = accept as string;
  // Media ranges and q-values (text/*, application/json;q=0, */*), never the header's text: the
  // XML types are offered whenever the API has them, so text/* is answered in text/xml.
  // JSON is listed first, so it wins a tie (*/*, or both at the same q and specificity).
  const type = new Negotiator({ headers: { accept: header } }).mediaType(offer === "json" ? ["application/json"] : jsonFirst);
  if (type === undefined) throw notAcceptable(header, offer);
  if (type !== "application/json" && reply) answerInXML(reply, type);
}

/**
 * Scripted REST: the script's own content type is never refused, so there is no 406; objects the
 * platform serializes ({"result": …}, setError's envelope) follow the Accept header.
 */
export function preferredSerialization(request: FastifyRequest): string | undefined {
  const accept = request.headers.accept;
  if (cheap(accept)) return undefined;
  const type = new Negotiator({ headers: { accept } }).mediaType(jsonFirst);
  return type === "application/json" ? undefined : type;
}

/** Objects sent on this reply, error envelopes included, go out as XML; text and bytes as they are. */
export function answerInXML(reply: FastifyReply, type: string): void {
  reply.serializer((payload: unknown) => {
    if (typeof payload === "string") return payload;
    reply.header("content-type", `${type}; charset=utf-8`);
    return xmlDocument(payload);
  });
}

function notAcceptable(accept: string, offer: Offer): OAuthError {
  const shown = accept.slice(0, 100);
  const description =
    offer === "json"
      ? `this API answers in JSON only; the request's Accept (${shown}) does not include application/json`
      : `this API answers in JSON or XML; the request's Accept (${shown}) includes neither application/json nor application/xml`;
  return new OAuthError("invalid_request", description, { status: 406 });
}
