import cluster from "node:cluster";
import { Command } from "commander";
import { startCluster } from "../../cluster.ts";
import { startServer } from "../../server.ts";
import { configFor, type DataOptions, type ServeOptions, withDataOption } from "../instance-options.ts";
import type { Output } from "../output.ts";
import { translator, type Translator } from "../../i18n/translator.ts";

/** Resolves on the first SIGINT or SIGTERM; later ones (Ctrl-C reaches a cluster's workers too) are absorbed. */
function untilStopped(output: Output, i18n: Translator): Promise<void> {
  return new Promise((resolve) => {
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      if (cluster.isPrimary) output.err(i18n.t("cli.start.stopping"));
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function startCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  return withDataOption(new Command("start").description("start the instance and serve it over HTTP or HTTPS"))
    .option("--port <port>", "port to listen on (default 8080, or PORTCULLIS_PORT)")
    .option("--host <host>", "address to bind (default 127.0.0.1, or PORTCULLIS_HOST)")
    .option("--public-url <url>", "the URL clients reach this instance at; sets the issuer (default http://HOST:PORT, https://localhost:PORT with --https)")
    .option("--https", "serve TLS; without --tls-cert/--tls-key a development CA is created under DATA/tls (or PORTCULLIS_HTTPS=true)")
    .option("--tls-cert <file>", "PEM certificate chain to serve (implies --https; or PORTCULLIS_TLS_CERT)")
    .option("--tls-key <file>", "PEM private key of --tls-cert (or PORTCULLIS_TLS_KEY)")
    .option("--hostname <name>", "another DNS name or address the development certificate must cover (repeatable; or PORTCULLIS_HOSTNAMES=a,b)", (value: string, previous: string[] = []) => [...previous, value])
    .option("--trust-proxy [addresses]", "believe X-Forwarded-* headers from a TLS-terminating proxy: from any peer, or only from these comma-separated addresses/CIDRs (or PORTCULLIS_TRUST_PROXY)")
    .option("--insecure-bind", "serve plain HTTP on a non-loopback address anyway (refused by default; or PORTCULLIS_INSECURE_BIND=true)")
    .option("--workers <n>", "processes serving the port over the same store; one per core uses every core (default 1, or PORTCULLIS_WORKERS)")
    .action(async (options: DataOptions & ServeOptions) => {
      const config = configFor(options, env);
      if (cluster.isWorker) {
        // A cluster worker: the primary has printed the start-up lines and sweeps expired tokens.
        const server = await startServer(config, { print: () => {}, cleanup: false });
        await untilStopped(output, i18n);
        await server.close().catch(() => {});
        process.disconnect?.();
        return;
      }
      if (config.workers > 1) {
        const running = await startCluster(config, (line) => output.err(line));
        await untilStopped(output, i18n);
        await running.close();
        return;
      }
      const server = await startServer(config, { print: (line) => output.err(line) });
      await untilStopped(output, i18n);
      await server.shutdown().catch(() => {});
    });
}
