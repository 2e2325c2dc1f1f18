import type { FastifyServerOptions } from "fastify";

/**
 * Request logs name the method, the path without its query string, and the status. The query
 * of /oauth_redirect.do carries codes, so it never reaches a log; neither do headers.
 */
export function loggerOptions(level: string): Exclude<FastifyServerOptions["logger"], boolean | undefined> {
  return {
    level,
    redact: { paths: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]', "*.password", "*.client_secret", "*.access_token", "*.refresh_token"], censor: "[redacted]" },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split("?")[0], ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
