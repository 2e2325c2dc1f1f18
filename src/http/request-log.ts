import type { FastifyReply, FastifyRequest } from "fastify";
import { LogController } from "fastify";
import os from "node:os";
import type pino from "pino";
import type { LineDestination } from "../log-line-batch.ts";

export interface RequestLogOptions {
  disableRequestLogging: boolean;
  /**
   * Where completed-request lines go (none when the server logs nothing or its level is above
   * info): the server log's stream. The line is built here from fields that never hold a secret
   * (method, path, address, status, time), so it needs neither pino's redaction nor its
   * serializers.
   */
  lines?: LineDestination;
}

const host = JSON.stringify(os.hostname());

/**
 * A completed request's line, in the form pino writes the server log's lines (level, time, pid,
 * hostname, the fields, msg), built as one template string: pino's serialization of the same
 * object, nested req and res included, took about four times as long (3–4 µs a line here).
 */
export function completedRequestLine(reqId: string, method: string, path: string, ip: string | undefined, statusCode: number, responseTime: number): string {
  return `{"level":30,"time":${Date.now()},"pid":${process.pid},"hostname":${host},"reqId":${JSON.stringify(reqId)},"req":${JSON.stringify({ method, path, ip })},"res":{"statusCode":${statusCode}},"responseTime":${Number.isFinite(responseTime) ? responseTime : null},"msg":"request completed"}\n`;
}

/**
 * One log line per request, written when it completes: method, path, address, status and
 * time. Fastify's default adds an "incoming request" line before it, which doubled the cost of
 * logging on the token endpoint and says nothing the completed line does not (a request that
 * never completes is in the error log, or the process died).
 */
export class OneLinePerRequest extends LogController {
  readonly #lines: LineDestination | undefined;

  constructor(options: RequestLogOptions) {
    super({ disableRequestLogging: options.disableRequestLogging });
    this.#lines = options.lines;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      const line = { req: { method: request.method, url: request.url, ip: request.ip }, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime };
      reply.log.error({ ...line, err: error }, "request errored");
    } else if (this.#lines) {
      // The form src/log.ts's req and res serializers give the server log's lines.
      const query = request.url.indexOf("?");
      const path = query === -1 ? request.url : request.url.slice(0, query);
      this.#lines.write(completedRequestLine(request.id, request.method, path, request.ip, reply.statusCode, reply.elapsedTime));
    }
  }
}

type LogArguments = Parameters<pino.LogFn>;

/**
 * The per-request logger (`request.log`), made only when something is logged. Fastify builds a
 * pino child with the request id for every request; with redaction on, that child's bindings
 * went through the redactor too, for a logger that a successful request never uses: a tenth of
 * what an API call allocated.
 */
export class LazyRequestLogger {
  #child: pino.Logger | undefined;
  readonly #parent: pino.Logger;
  readonly #bindings: pino.Bindings;
  readonly #options: pino.ChildLoggerOptions;

  constructor(parent: pino.Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): pino.Logger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  #log(level: pino.Level, args: LogArguments): void {
    // A level the server does not log needs no child.
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return;
    (this.#logger[level] as (...a: LogArguments) => void)(...args);
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#logger.level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): pino.Logger {
    return this.#logger.child(bindings, options);
  }

  bindings(): pino.Bindings {
    return this.#logger.bindings();
  }

  trace(...args: LogArguments): void {
    this.#log("trace", args);
  }
  debug(...args: LogArguments): void {
    this.#log("debug", args);
  }
  info(...args: LogArguments): void {
    this.#log("info", args);
  }
  warn(...args: LogArguments): void {
    this.#log("warn", args);
  }
  error(...args: LogArguments): void {
    this.#log("error", args);
  }
  fatal(...args: LogArguments): void {
    this.#log("fatal", args);
  }
  silent(): void {}
}
