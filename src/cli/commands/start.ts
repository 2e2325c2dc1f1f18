import { Command } from "commander";
import { startServer } from "../../server.ts";
import { configFor, type DataOptions, type ServeOptions, withDataOption } from "../instance-options.ts";
import type { Output } from "../output.ts";
import { translator, type Translator } from "../../i18n/translator.ts";

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
    .action(async (options: DataOptions & ServeOptions) => {
      const server = await startServer(configFor(options, env), { print: (line) => output.err(line) });
      await new Promise<void>((resolve) => {
        const stop = () => {
          output.err(i18n.t("cli.start.stopping"));
          server.shutdown().then(resolve, resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
