import { type Config, isLoopbackHost } from "../config.ts";
import type { LocalText } from "../i18n/translator.ts";
import { localConfigError } from "../config.ts";

/**
 * Tokens, client secrets and passwords travel in every request, so an instance other machines
 * can reach must be reached over TLS: served here, or terminated by a proxy the operator
 * declared with an https public URL. Loopback binds are exempt: nothing leaves the machine.
 */
export function checkBind(config: Config): { warning?: LocalText } {
  if (isLoopbackHost(config.host) || config.https || config.publicUrl.startsWith("https:")) return {};
  if (config.allowInsecureBind) return { warning: { key: "start.bind.insecure", values: { host: config.host } } };
  throw localConfigError({ key: "start.bind.refused", values: { host: config.host } });
}

/**
 * The management port is served by this process itself, so a TLS proxy declared in front of the
 * public port does not cover it: bound where other machines reach it without --https, /metrics
 * crosses the network in the clear. A pod's scraper on a private network may be what the operator
 * wants, so this warns rather than refuses; /health and /ready alone (metrics off) tell nothing.
 */
export function checkManagementBind(config: Config): LocalText | undefined {
  if (config.managementPort === undefined || !config.metrics || config.https || isLoopbackHost(config.managementHost)) return undefined;
  return { key: "start.management.insecure", values: { host: config.managementHost } };
}
