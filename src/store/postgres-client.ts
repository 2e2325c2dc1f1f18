import pg from "pg";

/** pg's error when a query has had no answer within query_timeout. */
const readTimeout = "Query read timeout";

/**
 * The pool's connection. A connection that dies while a request holds it (the server restarts,
 * fails over, or ends it with pg_terminate_backend) fails that request's queries, which answer
 * 503; pg also emits the error on the client, where, with no listener, it would be thrown as an
 * uncaught exception and stop the process (node-postgres listens only on idle clients).
 *
 * A server that stops answering (frozen, or cut off without a reset, as after a failover)
 * leaves a query waiting, and every later query on that connection queued behind it. pg's
 * query_timeout fails the query (503); the connection is then dropped too, so the pool opens a
 * fresh one instead of lending the silent one to the next request.
 *
 * A connection refused while it authenticates on this side (a password the server asks for and
 * DATABASE_URL does not give, a SASL step it cannot take) is closed at once: pg fails the connect
 * and leaves the socket open until the server gives up on it (authentication_timeout, 60 s by
 * default), and held a failed start's process that long.
 */
export class PostgresClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on("error", () => {});
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if ((error as Error | undefined)?.message === readTimeout) this.connection.stream.destroy();
        });
      }
      return result;
    }) as pg.Client["query"];
    const connect = this.connect.bind(this) as (callback: (error?: Error) => void) => void;
    const connected = (callback: (error?: Error) => void) =>
      connect((error) => {
        if (error) this.connection.stream.destroy();
        callback(error);
      });
    this.connect = ((callback?: (error?: Error) => void) => {
      if (callback) return connected(callback);
      return new Promise((resolve, reject) => connected((error) => (error ? reject(error) : resolve(this))));
    }) as pg.Client["connect"];
  }
}
