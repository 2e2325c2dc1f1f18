import path from "node:path";
import type { Server as TlsServer } from "node:tls";
import { type Config, isLoopbackHost } from "../config.ts";
import { type LocalText, type Translator, translator } from "../i18n/translator.ts";
import { type DevelopmentCertificates, ensureDevelopmentCertificates } from "./development-ca.ts";
import { operatorTls } from "./operator-certificate.ts";

/** The key and certificate chain a TLS server presents, as PEM. */
export interface ServerTls {
  key: string;
  cert: string;
  /** Set when the certificate comes from the development CA, so it can be renewed while running. */
  development?: DevelopmentCertificates;
  /** What a verifying client will object to in the operator's certificate; printed at start. */
  warnings?: LocalText[];
}

/** Names every development certificate carries: what "this machine" is called. */
export const loopbackNames = ["localhost", "127.0.0.1", "::1"] as const;

/** Loopback names, every --hostname, the bound address when it is a specific one, and the public URL's host. */
export function certificateNames(config: Config): string[] {
  const names: string[] = [...loopbackNames, ...config.hostnames];
  const bound = config.host.replace(/^\[|\]$/g, "");
  if (bound !== "0.0.0.0" && bound !== "::" && !isLoopbackHost(bound)) names.push(bound);
  names.push(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, ""));
  return [...new Set(names.map((name) => name.toLowerCase()))];
}

export function developmentTlsDir(config: Config): string {
  return path.join(config.dataDir, "tls");
}

/** The operator's certificate when configured, else the development CA's; undefined when not serving TLS. */
export async function resolveServerTls(config: Config, options: { now?: Date } = {}): Promise<ServerTls | undefined> {
  if (!config.https) return undefined;
  if (config.tlsCert && config.tlsKey) return operatorTls(config.tlsCert, config.tlsKey, new URL(config.publicUrl).hostname, options.now ?? new Date());
  const development = await ensureDevelopmentCertificates({ dir: developmentTlsDir(config), names: certificateNames(config), ...(options.now ? { now: options.now } : {}) });
  return { key: development.privateKey, cert: development.certificate, development };
}

/** Start-up lines that tell a person which CA to trust and how. */
export function describeDevelopmentCa(development: DevelopmentCertificates, { t, dateTime }: Translator = translator("en")): string[] {
  const lines: string[] = [];
  if (development.events.includes("ca-created")) lines.push(t("start.tls.caCreated"));
  if (development.events.includes("ca-replaced")) lines.push(t("start.tls.caReplaced"));
  if (development.events.includes("server-renewed")) lines.push(t("start.tls.serverRenewed"));
  lines.push(t("start.tls.caFile", { file: development.caFile }));
  lines.push(t("start.tls.fingerprint", { fingerprint: development.caFingerprint }));
  lines.push(t("start.tls.trustIt"));
  lines.push(t("start.tls.serverValidUntil", { date: dateTime(development.serverNotAfter) }));
  return lines;
}

/**
 * A long-running instance swaps in a renewed development certificate without dropping
 * connections; the server calls this daily. Resolves with what had to be re-issued.
 */
export async function renewWhileRunning(servers: readonly unknown[], config: Config, log: { info(o: object, m: string): void; warn(o: object, m: string): void }): Promise<string[]> {
  try {
    const tls = await resolveServerTls(config);
    if (!tls?.development?.events.length) return [];
    // The public port and the management port serve one certificate; each must get the renewed one.
    for (const server of servers) (server as TlsServer).setSecureContext({ key: tls.key, cert: tls.cert });
    log.info({ events: tls.development.events }, "development certificate renewed");
    return tls.development.events;
  } catch (error) {
    log.warn({ err: error }, "development certificate renewal failed");
    return [];
  }
}
