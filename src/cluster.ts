import { translator, type Translator } from "./i18n/translator.ts";
import cluster, { type Worker } from "node:cluster";
import { type Config, ConfigError } from "./config.ts";
import { paths } from "./http/paths.ts";
import { openInstance } from "./instance.ts";
import { startBackgroundJobs } from "./background-jobs.ts";
import { jobFailureText } from "./job-failure.ts";
import { checkBeforeOpening } from "./start-checks.ts";
import { dataDirectoryWarnings } from "./store/data-directory.ts";
import { assertSecretKeyOpensStore } from "./consumer/secret-key-check.ts";
import { checkPublicUrl } from "./public-url-check.ts";
import { instanceSecretBox } from "./consumer/secret-box.ts";
import { serveClusterMetrics } from "./http/operability/cluster-metrics.ts";
import { managementUrl } from "./http/operability/management-app.ts";
import { describeDevelopmentCa, resolveServerTls } from "./tls/server-tls.ts";
import { checkBind, checkManagementBind } from "./tls/bind-policy.ts";
import { workerStarted, type WorkerPorts } from "./worker-start.ts";
import { inFlightGraceMs } from "./server.ts";

export interface RunningCluster {
  /** Where the workers listen (the port is shared). */
  port: number;
  close(): Promise<void>;
  /**
   * SIGHUP: the development certificates are renewed here, once (two workers renewing each their
   * own would serve two CAs), then every worker reads the certificate again.
   */
  reloadCertificate(): Promise<void>;
}

/**
 * `portcullis start --workers N` (node:cluster): the primary migrates the store and creates the
 * admin once, then forks N workers that serve the same port over the same SQLite file or
 * PostgreSQL database. Only the primary sweeps expired tokens, so the sweep runs once, not N times.
 * A worker that dies is replaced; one that cannot start (src/worker-start.ts) stops the start
 * with its reason instead, as replacing it would fail the same way.
 */
export async function startCluster(config: Config, print: (line: string) => void, i18n: Translator = translator("en")): Promise<RunningCluster> {
  const { t } = i18n;
  // Here, once, rather than in each worker, whose start-up lines go nowhere.
  const { warning } = checkBind(config);
  for (const line of [warning, checkManagementBind(config)]) if (line) print(t(line.key, line.values));
  await checkBeforeOpening(config, { probePort: true, checkSecretKey: true });
  const instance = await openInstance(config, {
    onAdminCreated: (userName, generated) => {
      print(generated ? t("cli.admin.created", { name: userName, password: generated }) : t("start.adminFromEnv", { name: userName }));
    },
  });
  for (const line of dataDirectoryWarnings(config.dataDir, instance.store.dialect)) print(t(line.key, line.values));
  let tls: Awaited<ReturnType<typeof resolveServerTls>>;
  try {
    // Checked once here, so a wrong key or certificate is told as such, not as workers that died starting.
    await assertSecretKeyOpensStore(instance);
    // Here, so the workers find the URL recorded, or moved, and a refusal is told once.
    const moved = await checkPublicUrl(instance);
    if (moved) print(t(moved.key, moved.values));
    // Made here, if new, so that the workers starting together read one key and make none.
    instanceSecretBox(instance);
    // The development CA and certificate are made here, once, before the workers read them.
    tls = await resolveServerTls(config);
  } catch (error) {
    await instance.store.close();
    throw error;
  }
  serveClusterMetrics(() => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && serving.has(w.id)));
  const jobs = startBackgroundJobs(instance, (error) => {
    const text = jobFailureText(error);
    print(t(text.key, text.values));
  });
  let stopping = false;
  let ports: WorkerPorts = { port: config.port };
  // Workers that are ready: every listener up (src/worker-start.ts), not merely the first.
  const serving = new Set<number>();

  // Workers that were still starting when a SIGHUP came: see reloadCertificate.
  const reloadOwed = new Set<number>();

  const fork = async (): Promise<void> => {
    const worker = cluster.fork();
    ports = await workerStarted(worker);
    serving.add(worker.id);
    if (reloadOwed.delete(worker.id)) worker.process.kill("SIGHUP");
  };
  cluster.on("exit", (worker, code, signal) => {
    // One that was never ready failed at start-up; replacing it would only fail again.
    reloadOwed.delete(worker.id);
    if (stopping || !serving.has(worker.id)) return;
    print(t("start.workerExited", { pid: worker.process.pid ?? "", reason: String(signal ?? code) }));
    fork().catch((error: Error) => {
      if (!stopping) print(error instanceof ConfigError && error.text ? t(error.text.key, error.text.values) : error.message);
    });
  });

  try {
    await Promise.all(Array.from({ length: config.workers }, fork));
  } catch (error) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    jobs.stop();
    await instance.store.close();
    throw error;
  }
  if (tls?.development) for (const line of describeDevelopmentCa(tls.development, i18n)) print(line);
  else if (tls) print(t("start.tls", { file: config.tlsCert ?? "" }));
  for (const line of tls?.warnings ?? []) print(t(line.key, line.values));
  print(t("start.serving", { dialect: instance.store.dialect, location: instance.store.location, workers: config.workers }));
  // The pid to signal (SIGTERM, SIGHUP): `npm start` passes a signal to the shell it runs this in, which leaves this process serving.
  print(t("start.listening", { address: `${config.host}:${ports.port}`, issuer: config.publicUrl, pid: String(process.pid) }));
  if (ports.managementPort !== undefined) print(t("start.management", { url: managementUrl(config.managementHost, ports.managementPort, tls !== undefined) }));
  print(t("start.metadata", { url: `${config.publicUrl}${paths.metadata}` }));

  return {
    port: ports.port,
    reloadCertificate: async () => {
      try {
        const renewed = await resolveServerTls(config);
        if (renewed?.development?.events.length) for (const line of describeDevelopmentCa(renewed.development, i18n)) print(line);
      } catch (error) {
        // The workers try too, and each says why it kept the certificate it serves.
        print(t("start.tls.reloadFailed", { reason: error instanceof Error ? error.message : String(error) }));
      }
      // One still starting (a replacement) gets it once ready: now, Node could still be loading
      // it, and die of it, and it may have read the certificate before the renewal.
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (!worker || worker.isDead()) continue;
        if (serving.has(worker.id)) worker.process.kill("SIGHUP");
        else reloadOwed.add(worker.id);
      }
    },
    close: async () => {
      stopping = true;
      jobs.stop();
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once("exit", () => resolve());
              worker.process.kill("SIGTERM");
              // Past its drain and the time it gives what is in flight (server.ts), with some to spare to close its store.
              setTimeout(() => worker.process.kill("SIGKILL"), config.shutdownDrainMs + inFlightGraceMs + 5000).unref();
            }),
        ),
      );
      await instance.store.close();
    },
  };
}
