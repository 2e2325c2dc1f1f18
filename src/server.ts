import type { FastifyInstance } from "fastify";
import type { Config } from "./config.ts";
import { type AppOptions, buildApp } from "./http/app.ts";
import { paths } from "./http/paths.ts";
import { type Instance, openInstance } from "./instance.ts";
import type { Store } from "./store/database.ts";
import { scheduleTokenCleanup } from "./token-cleanup.ts";

export interface RunningServer {
  instance: Instance;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions extends AppOptions {
  /** Where start-up lines go: the admin password (once), the URLs. */
  print?: (line: string) => void;
  store?: Store;
  /** False in a cluster worker: the primary sweeps expired tokens, once for all. */
  cleanup?: boolean;
}

/** Opens the instance, serves it, and keeps expired tokens from piling up. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const instance = await openInstance(config, {
    ...(options.store ? { store: options.store } : {}),
    onAdminCreated: (userName, generated) => {
      if (generated) print(`Created user "${userName}" with role admin. Its password, shown only this once: ${generated}`);
      else print(`Created user "${userName}" with role admin, with the password from PORTCULLIS_ADMIN_PASSWORD.`);
    },
  });
  let app: FastifyInstance;
  try {
    app = await buildApp(instance, options);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await instance.store.close();
    throw error;
  }
  const stopCleanup =
    options.cleanup === false ? () => {} : scheduleTokenCleanup(instance.store, config.tokenCleanupInterval, (error) => app.log.warn({ err: error }, "expired-token clean-up failed"));

  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  print(`Portcullis is serving ${instance.store.dialect === "sqlite" ? `the SQLite database ${instance.store.location}` : `PostgreSQL at ${instance.store.location}`}`);
  print(`Listening on ${config.host}:${port}; issuer ${config.publicUrl}`);
  print(`Metadata: ${config.publicUrl}${paths.metadata}`);
  return {
    instance,
    app,
    url: config.publicUrl,
    close: async () => {
      stopCleanup();
      await app.close();
      await instance.store.close();
    },
  };
}
