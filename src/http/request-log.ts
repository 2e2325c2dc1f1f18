import type { FastifyReply, FastifyRequest } from "fastify";
import { LogController } from "fastify";

/**
 * One log line per request, written when it completes: method, path, address, status and
 * time. Fastify's default adds an "incoming request" line before it, which doubled the cost of
 * logging on the token endpoint and says nothing the completed line does not (a request that
 * never completes is in the error log, or the process died).
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    // Plain objects of the fields the serializers keep: redaction then walks three small objects
    // instead of the whole request, which was 7 % of a bearer-authenticated GET.
    const line = { req: { method: request.method, url: request.url, ip: request.ip }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}
