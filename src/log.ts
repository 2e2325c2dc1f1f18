import type { FastifyServerOptions } from "fastify";
import pino from "pino";

/**
 * Request logs name the method, the path without its query string, and the status. The query
 * of /oauth_redirect.do carries codes, so it never reaches a log; neither do headers.
 */
export function loggerOptions(level: string): Exclude<FastifyServerOptions["logger"], boolean | undefined> {
  return {
    level,
    redact: { paths: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]', "*.password", "*.client_secret", "*.access_token", "*.refresh_token"], censor: "[redacted]" },
    serializers,
  };
}

const serializers = {
  req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split("?")[0], ip: req.ip }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

/**
 * The logger of completed-request lines (see src/http/request-log.ts): the server log's level
 * and stream, without redaction, for lines built only of fields that hold no secret, and without
 * serializers, for lines built already in the form `serializers` gives the server log's.
 */
export function requestLineLogger(level: string, stream: pino.DestinationStream): pino.Logger {
  return pino({ level }, stream);
}

let stdout: pino.DestinationStream | undefined;

/**
 * The server log on standard output, written in blocks of 4 KiB (or at least every second)
 * rather than one write per line: a write per request cost the token endpoint 6 % of its time.
 * The writes stay synchronous (an asynchronous write still under way at exit was written twice),
 * and what is buffered is written on exit, including after an uncaught exception; only a kill -9
 * loses the last second of request lines (the audit trail is in the database, not here).
 */
export function bufferedStdout(): pino.DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, minLength: 4096, sync: true, periodicFlush: 1000 });
    process.once("exit", () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing left to write to (a closed pipe): the lines are lost either way.
      }
    });
    stdout = destination;
  }
  return stdout;
}
