import type { FastifyServerOptions } from "fastify";
import pino from "pino";
import { LineBatch } from "./log-line-batch.ts";

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

/** Completed-request lines are written at info: a server logging at a higher level writes none. */
export function requestLinesLogged(level: string): boolean {
  return (pino.levels.values[level] ?? Number.POSITIVE_INFINITY) <= pino.levels.values.info!;
}

let stdout: LineBatch | undefined;

/**
 * The server log on standard output, written in blocks of 4 KiB (or at least every second)
 * rather than one write per line: a write per request cost the token endpoint 6 % of its time.
 * The writes stay synchronous (an asynchronous write still under way at exit was written twice),
 * and what is gathered is written on exit, including after an uncaught exception; only a kill -9
 * loses the last second of request lines (the audit trail is in the database, not here).
 */
export function bufferedStdout(): pino.DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: true });
    const batch = new LineBatch(destination);
    setInterval(() => batch.flush(), 1000).unref();
    process.once("exit", () => {
      try {
        batch.flush();
        destination.flushSync();
      } catch {
        // Nothing left to write to (a closed pipe): the lines are lost either way.
      }
    });
    stdout = batch;
  }
  return stdout;
}
