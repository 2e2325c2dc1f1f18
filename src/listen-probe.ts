import { type AddressInfo, createServer } from "node:net";
import { type ConfigError, localConfigError } from "./config.ts";

/**
 * Opening an instance creates its data directory and first admin (printing a password that is
 * shown once), so a port another process holds must be found before that, not at listen().
 * Binding and releasing a socket answers what the OS would say; a process taking the port in
 * between is still caught by listen() and told the same way by `listenError`.
 */
export async function assertCanListen(host: string, port: number, listener: Listener = "main"): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, { host, port, listener, stage: "probe" })));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * A port the system has free on `host`, for `--port 0`: taken before the config is built, so the
 * issuer and the URLs a start prints name the port served rather than :0. Released at once; a
 * process taking it before the listen is told as any port in use.
 */
export async function freePort(host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, { host, port: 0, listener: "main", stage: "probe" })));
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The public port, or the management one (`--management-port`): each error names the setting that moves it. */
export type Listener = "main" | "management";

const settings: Record<Listener, { portFlag: string; portVariable: string; hostSetting: string }> = {
  main: { portFlag: "--port", portVariable: "PORTCULLIS_PORT", hostSetting: "--host " },
  management: { portFlag: "--management-port", portVariable: "PORTCULLIS_MANAGEMENT_PORT", hostSetting: "PORTCULLIS_MANAGEMENT_HOST=" },
};

export interface ListenTarget {
  host: string;
  port: number;
  listener: Listener;
  /** The probe before the instance is opened ("Nothing was created"), or the listen after it, when that is no longer so. */
  stage: "probe" | "listen";
}

/** The operator's words for why a server cannot listen; other errors pass through unchanged. */
export function listenError(error: NodeJS.ErrnoException, { host, port, listener, stage }: ListenTarget): Error | ConfigError {
  const values = { host, port: String(port), stage, ...settings[listener] };
  if (error.code === "EADDRINUSE") return localConfigError({ key: "start.listen.inUse", values });
  if (error.code === "EACCES") return localConfigError({ key: "start.listen.denied", values });
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") return localConfigError({ key: "start.listen.noAddress", values });
  return error;
}
