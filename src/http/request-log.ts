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
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
  }
}
