import { type Config, ConfigError, isLoopbackHost } from "../config.ts";

/**
 * Tokens, client secrets and passwords travel in every request, so an instance other machines
 * can reach must be reached over TLS: served here, or terminated by a proxy the operator
 * declared with an https public URL. Loopback binds are exempt: nothing leaves the machine.
 */
export function checkBind(config: Config): { warning?: string } {
  if (isLoopbackHost(config.host) || config.https || config.publicUrl.startsWith("https:")) return {};
  if (config.allowInsecureBind) {
    return {
      warning:
        `WARNING: serving plain HTTP on ${config.host}, reachable from other machines (--insecure-bind). ` +
        "Passwords, client secrets and tokens will cross the network unencrypted. Use --https, or --public-url https://… behind a TLS proxy.",
    };
  }
  throw new ConfigError(
    `refusing to serve plain HTTP on ${config.host}, which other machines can reach: credentials would cross the network unencrypted.\n` +
      "  Use --https (a development CA is created under the data directory, or give --tls-cert and --tls-key),\n" +
      "  or declare the TLS-terminating proxy in front with --public-url https://… (and --trust-proxy for its forwarded headers),\n" +
      "  or bind 127.0.0.1. --insecure-bind overrides this refusal.",
  );
}
