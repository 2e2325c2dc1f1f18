import { translator, type Translator } from "./i18n/translator.ts";
import type { MessageKey } from "./i18n/catalogs/en.ts";
import type { FastifyInstance } from "fastify";
import { type BackgroundJobs, idleJobs, startBackgroundJobs } from "./background-jobs.ts";
import type { Config } from "./config.ts";
import { type AppOptions, buildApp } from "./http/app.ts";
import { paths } from "./http/paths.ts";
import { type Instance, openInstance } from "./instance.ts";
import type { Store } from "./store/database.ts";
import { logJobFailure } from "./job-failure.ts";
import { dataDirectoryWarnings } from "./store/data-directory.ts";
import { checkBind, checkManagementBind } from "./tls/bind-policy.ts";
import { instanceSecretBox } from "./consumer/secret-box.ts";
import { type Listener, listenError } from "./listen-probe.ts";
import { buildManagementApp, listenedPort, managementUrl } from "./http/operability/management-app.ts";
import { checkBeforeOpening } from "./start-checks.ts";
import { recordServedPublicUrl } from "./store/served-url-store.ts";
import cluster from "node:cluster";
import { assertSecretKeyOpensStore } from "./consumer/secret-key-check.ts";
import { checkPublicUrl } from "./public-url-check.ts";
import { describeDevelopmentCa, developmentTlsDir, renewWhileRunning, resolveServerTls } from "./tls/server-tls.ts";

export interface RunningServer {
  instance: Instance;
  app: FastifyInstance;
  url: string;
  /** The port the management listener got (`--management-port`; 0 asks the system for one), when there is one. */
  managementPort?: number;
  jobs: BackgroundJobs;
  close(): Promise<void>;
  /** Graceful stop: /ready turns 503 for the drain period while requests are still served, then close() finishes what is in flight. */
  shutdown(): Promise<void>;
  /**
   * Reads the TLS certificate and key again (the operator's files, or the development ones) and
   * serves new connections with them; connections already open keep theirs. False, with the
   * previous certificate still served, when there is no TLS or the files do not hold a pair.
   */
  reloadCertificate(report?: (line: string) => void): Promise<boolean>;
  /** The daily check of the development certificate, on every listener (the public and the management port): what had to be re-issued. */
  renewDevelopmentCertificate(): Promise<string[]>;
}

export interface StartOptions extends AppOptions {
  /** Where start-up lines go: the admin password (once), the URLs. */
  print?: (line: string) => void;
  store?: Store;
  /** False in a cluster worker: the primary sweeps expired tokens, once for all. */
  cleanup?: boolean;
  /** A fixed clock for date macros (tests). */
  now?: () => Date;
  /** The language of the start-up lines (the CLI's --lang); English by default. */
  i18n?: Translator;
}

const certificateCheckIntervalMs = 24 * 3600 * 1000;

/** Opens the instance, serves it, and keeps expired tokens from piling up. */
/** The start-up warnings about a certificate that refuse it on a reload, in their reload wording. */
const reloadRefusals: Partial<Record<string, MessageKey>> = { "start.tls.certExpired": "start.tls.reloadExpired", "start.tls.certWrongHost": "start.tls.reloadWrongHost" };

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { t } = options.i18n ?? translator("en");
  const { warning } = checkBind(config);
  if (warning) print(t(warning.key, warning.values));
  const managementWarning = checkManagementBind(config);
  if (managementWarning) print(t(managementWarning.key, managementWarning.values));
  await checkBeforeOpening(config, { probePort: !cluster.isWorker, checkSecretKey: !options.store });
  const tls = await resolveServerTls(config);
  const instance = await openInstance(config, {
    ...(options.store ? { store: options.store } : {}),
    ...(options.now ? { now: options.now } : {}),
    onAdminCreated: (userName, generated) => {
      print(generated ? t("cli.admin.created", { name: userName, password: generated }) : t("start.adminFromEnv", { name: userName }));
    },
  });
  instance.store.checkpointInBackground?.();
  for (const line of dataDirectoryWarnings(config.dataDir, instance.store.dialect)) print(t(line.key, line.values));
  let app: FastifyInstance;
  let management: FastifyInstance | undefined;
  let listeningOn = { host: config.host, port: config.port, listener: "main" as Listener };
  try {
    // Refuse now, not at the first provider call, when this node cannot read what is stored.
    await assertSecretKeyOpensStore(instance);
    const moved = await checkPublicUrl(instance);
    if (moved) print(t(moved.key, moved.values));
    instanceSecretBox(instance);
    if (config.managementPort !== undefined) management = buildManagementApp(instance, tls);
    app = await buildApp(instance, { ...options, ...(tls ? { https: tls } : {}), ...(management ? { management } : {}) });
    await app.listen({ host: config.host, port: config.port });
    if (management) {
      listeningOn = { host: config.managementHost, port: config.managementPort!, listener: "management" };
      await management.listen({ host: listeningOn.host, port: listeningOn.port });
    }
  } catch (error) {
    await (app! as FastifyInstance | undefined)?.close();
    await management?.close();
    await instance.store.close();
    throw listenError(error as NodeJS.ErrnoException, { ...listeningOn, stage: "listen" });
  }
  // For the CLI beside it: `provider create` names the redirect URL this start serves. Not worth failing a start over.
  await recordServedPublicUrl(instance.store.db, config.publicUrl).catch((error: unknown) => app.log.warn({ err: error }, "the public URL served was not recorded"));
  // A cluster worker leaves housekeeping to its primary.
  const jobs = options.cleanup === false ? idleJobs : startBackgroundJobs(instance, (error) => logJobFailure(app.log, error));
  const renewDevelopmentCertificate = () => (tls?.development ? renewWhileRunning([app.server, ...(management ? [management.server] : [])], config, app.log) : Promise.resolve([]));
  const renewal = tls?.development ? setInterval(() => void renewDevelopmentCertificate(), certificateCheckIntervalMs) : undefined;
  renewal?.unref();

  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  if (tls?.development) for (const line of describeDevelopmentCa(tls.development, options.i18n)) print(line);
  else if (tls) print(t("start.tls", { file: config.tlsCert ?? "" }));
  for (const line of tls?.warnings ?? []) print(t(line.key, line.values));
  print(t("start.serving", { dialect: instance.store.dialect, location: instance.store.location, workers: 0 }));
  // The pid to signal (SIGTERM, SIGHUP): `npm start` passes a signal to the shell it runs this in, which leaves this process serving.
  print(t("start.listening", { address: `${config.host}:${port}`, issuer: config.publicUrl, pid: String(process.pid) }));
  if (management) print(t("start.management", { url: managementUrl(config.managementHost, listenedPort(management), tls !== undefined) }));
  print(t("start.metadata", { url: `${config.publicUrl}${paths.metadata}` }));
  const close = async () => {
    jobs.stop();
    clearInterval(renewal);
    try {
      await closeWithin(app, inFlightGraceMs);
    } finally {
      try {
        if (management) await closeWithin(management, inFlightGraceMs);
      } finally {
        await instance.store.close();
      }
    }
  };
  return {
    instance,
    app,
    url: config.publicUrl,
    ...(management ? { managementPort: listenedPort(management) } : {}),
    jobs,
    close,
    renewDevelopmentCertificate,
    reloadCertificate: async (report = print) => {
      if (!tls) return false;
      try {
        const next = await resolveServerTls(config);
        // At start an expired certificate, or one for another host, is served with a warning (the
        // operator may be testing exactly that); a reload that would swap a working certificate
        // for one verifying clients refuse keeps the one served, as it does for a mismatched key.
        const refused = (next!.warnings ?? []).find((line) => line.key in reloadRefusals);
        if (refused) throw new Error(t(reloadRefusals[refused.key]!, refused.values));
        for (const served of [app, management]) (served?.server as unknown as import("node:tls").Server | undefined)?.setSecureContext({ key: next!.key, cert: next!.cert });
        if (next!.development?.events.length) for (const line of describeDevelopmentCa(next!.development, options.i18n)) report(line);
        for (const line of next!.warnings ?? []) report(t(line.key, line.values));
        report(t("start.tls.reloaded", { file: config.tlsCert ?? developmentTlsDir(config) }));
        return true;
      } catch (error) {
        report(t("start.tls.reloadFailed", { reason: error instanceof Error ? error.message : String(error) }));
        return false;
      }
    },
    shutdown: async () => {
      instance.lifecycle.draining = true;
      if (config.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
      await close();
    },
  };
}

/**
 * How long requests in flight may run on once the listener has closed (SIGTERM, after the
 * drain). Every request the server itself runs ends sooner (a script's time limit, the
 * database timeout); a client that stalls mid-request (a body never finished) held a stopping
 * process open for ever, until the service manager killed it. A cluster's primary kills a
 * worker only some time after this (cluster.ts).
 */
export const inFlightGraceMs = 10_000;

async function closeWithin(server: FastifyInstance, graceMs: number): Promise<void> {
  const cutOff = setTimeout(() => {
    server.log.warn({ graceMs }, "requests still in flight this long after the listener closed were cut off");
    server.server.closeAllConnections();
  }, graceMs);
  try {
    await server.close();
  } finally {
    clearTimeout(cutOff);
  }
}
