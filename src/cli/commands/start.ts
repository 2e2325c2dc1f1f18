import cluster from "node:cluster";
import { Command } from "commander";
import { startCluster } from "../../cluster.ts";
import { startServer } from "../../server.ts";
import { listenedPort } from "../../http/operability/management-app.ts";
import type { Config } from "../../config.ts";
import { freePort } from "../../listen-probe.ts";
import { reportReady, reportStartFailure } from "../../worker-start.ts";
import { configFor, type DataOptions, type ServeOptions, withDataOption } from "../instance-options.ts";
import type { Output } from "../output.ts";
import { translator, type Translator } from "../../i18n/translator.ts";
import { certificateReloadSignal, untilStopped } from "../start-signals.ts";
import { publicUrlGiven } from "../served-redirect-url.ts";

/**
 * The config to serve: `--port 0` (or PORTCULLIS_PORT=0) is a free port chosen here, before the
 * config is built, so a public URL made from the port (none given) names the one served, in the
 * metadata's issuer and the lines printed. A given public URL is kept as it is. Workers build
 * their config from the same command line, so a cluster's primary hands them the port it chose
 * as a last --port, which wins over the 0.
 *
 * A URL made from a port chosen here moves the instance to it (src/public-url-check.ts): no one
 * can have been given it beforehand, and every restart would otherwise be refused for naming
 * another port, with no way to name the next one in advance.
 */
async function serveConfig(options: DataOptions & ServeOptions, env: NodeJS.ProcessEnv): Promise<Config> {
  const asked = configFor(options, env);
  if (asked.port !== 0 || cluster.isWorker) return asked;
  const port = String(await freePort(asked.host));
  if (asked.workers > 1) cluster.setupPrimary({ args: [...process.argv.slice(2), "--port", port] });
  const chosen = configFor({ ...options, port }, env);
  if (publicUrlGiven(options.publicUrl, env)) return chosen;
  return configFor({ ...options, port, movePublicUrl: chosen.publicUrl }, env);
}

export function startCommand(output: Output, env: NodeJS.ProcessEnv, i18n: Translator = translator("en")): Command {
  const { t } = i18n;
  return withDataOption(new Command("start").description(t("help.start")), i18n)
    .option("--port <port>", t("help.start.port"))
    .option("--management-port <port>", t("help.start.managementPort"))
    .option("--host <host>", t("help.start.host"))
    .option("--public-url <url>", t("help.start.publicUrl"))
    .option("--move-public-url <url>", t("help.start.movePublicUrl"))
    .option("--https", t("help.start.https"))
    .option("--tls-cert <file>", t("help.start.tlsCert"))
    .option("--tls-key <file>", t("help.start.tlsKey"))
    .option("--hostname <name>", t("help.start.hostname"), (value: string, previous: string[] = []) => [...previous, value])
    .option("--trust-proxy [addresses]", t("help.start.trustProxy"))
    .option("--insecure-bind", t("help.start.insecureBind"))
    .option("--workers <n>", t("help.start.workers"))
    .action(async (options: DataOptions & ServeOptions) => {
      // Listened for before anything starts: a supervisor that signals as soon as it reads the
      // Metadata line must get a drain, not Node's default of dying on the spot. SIGHUP too: one
      // during start-up reloads the certificate once serving (start-signals.ts says why).
      const stopped = untilStopped(output, i18n);
      const hangups = certificateReloadSignal();
      const config = await serveConfig(options, env);
      if (!config.https) hangups.release();
      if (cluster.isWorker) {
        // A cluster worker: the primary prints the start-up lines, and a reason this one could not start, and sweeps expired tokens.
        const server = await startServer(config, { print: () => {}, cleanup: false, i18n }).catch(async (error: unknown) => {
          throw await reportStartFailure(error);
        });
        reportReady({ port: listenedPort(server.app), ...(server.managementPort !== undefined ? { managementPort: server.managementPort } : {}) });
        if (config.https) hangups.serving(() => void server.reloadCertificate((line) => output.err(line)));
        await stopped;
        // Drained like a single process: /ready turns 503 for the drain period while requests are still served.
        await server.shutdown().catch(() => {});
        process.disconnect?.();
        return;
      }
      if (config.workers > 1) {
        const running = await startCluster(config, (line) => output.err(line), i18n);
        // Each worker serves TLS itself: the primary passes the signal on.
        if (config.https) hangups.serving(() => void running.reloadCertificate());
        await stopped;
        await running.close();
        return;
      }
      const server = await startServer(config, { print: (line) => output.err(line), i18n });
      // kill -HUP: a renewed certificate is served without a restart (certbot's deploy hook, for one).
      if (config.https) hangups.serving(() => void server.reloadCertificate());
      await stopped;
      await server.shutdown().catch(() => {});
    });
}
