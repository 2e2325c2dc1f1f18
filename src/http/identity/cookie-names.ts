import type { Instance } from "../../instance.ts";

/**
 * Browsers keep cookies per host, not per port (RFC 6265 §8.5), so two instances on one host
 * (127.0.0.1:8080 and :8081, a pipeline tried out locally) would overwrite each other's
 * session: signing in at one signed the admin out of the other, mid-way through the
 * authorization code flow between them. A non-default port is part of each cookie's name.
 */
export function instanceCookieName(instance: Instance, base: string): string {
  const port = new URL(instance.config.publicUrl).port;
  return port ? `${base}_${port}` : base;
}
