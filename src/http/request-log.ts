import type { FastifyReply, FastifyRequest } from "fastify";
import { LogController } from "fastify";
import type pino from "pino";

export interface RequestLogOptions {
  disableRequestLogging: boolean;
  /**
   * Where completed-request lines go (none when the server logs nothing): a logger with the server log's level, stream and
   * serializers but no redaction. The line is built here from fields that never hold a secret
   * (method, path, address, status, time), and pino's redaction walked it on every request
   * anyway: a tenth of a bearer-authenticated GET. Errors still go through the redacting logger.
   */
  lines?: pino.Logger;
}

/**
 * One log line per request, written when it completes: method, path, address, status and
 * time. Fastify's default adds an "incoming request" line before it, which doubled the cost of
 * logging on the token endpoint and says nothing the completed line does not (a request that
 * never completes is in the error log, or the process died).
 */
export class OneLinePerRequest extends LogController {
  readonly #lines: pino.Logger | undefined;

  constructor(options: RequestLogOptions) {
    super({ disableRequestLogging: options.disableRequestLogging });
    this.#lines = options.lines;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: { method: request.method, url: request.url, ip: request.ip }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else this.#lines?.info({ reqId: request.id, ...line }, "request completed");
  }
}
