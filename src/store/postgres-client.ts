import pg from "pg";

/**
 * The pool's connection. A connection that dies while a request holds it (the server restarts,
 * fails over, or ends it with pg_terminate_backend) fails that request's queries, which answer
 * 503; pg also emits the error on the client, where, with no listener, it would be thrown as an
 * uncaught exception and stop the process (node-postgres listens only on idle clients).
 */
export class PostgresClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on("error", () => {});
  }
}
