import { Command } from "commander";
import { startServer } from "../../server.ts";
import { configFor, type DataOptions, withDataOption } from "../instance-options.ts";
import type { Output } from "../output.ts";

export function startCommand(output: Output, env: NodeJS.ProcessEnv): Command {
  return withDataOption(new Command("start").description("start the instance and serve it over HTTP"))
    .option("--port <port>", "port to listen on (default 8080, or PORTCULLIS_PORT)")
    .option("--host <host>", "address to bind (default 127.0.0.1, or PORTCULLIS_HOST)")
    .option("--public-url <url>", "the URL clients reach this instance at; sets the issuer (default http://HOST:PORT)")
    .action(async (options: DataOptions & { port?: string; host?: string; publicUrl?: string }) => {
      const server = await startServer(configFor(options, env), { print: (line) => output.err(line) });
      await new Promise<void>((resolve) => {
        const stop = () => {
          output.err("Stopping…");
          server.close().then(resolve, resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
