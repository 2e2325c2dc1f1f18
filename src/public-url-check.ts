import { localConfigError } from "./config.ts";
import { oauthRedirectUrl } from "./consumer/oauth-redirect-url.ts";
import type { LocalText } from "./i18n/translator.ts";
import type { Instance } from "./instance.ts";
import { claimInstanceSetting, replaceInstanceSetting } from "./store/instance-setting-store.ts";

/**
 * The public URL is the issuer of every token (RFC 8414's `issuer`, `iss` in introspection and
 * in the authorization response, RFC 9207) and the base of the redirect URL providers send
 * browsers back to, so every node of one database must serve the same one. A node started
 * with another used to join silently and answer under another issuer. The first start records
 * the URL (insert-if-absent, so nodes starting together agree on one).
 *
 * On PostgreSQL, the database nodes share, a start with another URL is refused with both URLs
 * and both ways out, and moves the instance only when told to with --move-public-url naming the
 * URL it serves. On SQLite the instance is one machine's, and the usual reason for another URL
 * is a restart on another --port or host: that start moves the instance and says so, rather
 * than refusing the developer who only changed a port.
 *
 * Returns the line to print when this start moved the instance, else nothing.
 */
export async function checkPublicUrl(instance: Instance): Promise<LocalText | undefined> {
  const { config, store } = instance;
  const recorded = await claimInstanceSetting(store.db, "public_url", config.publicUrl);
  if (recorded === config.publicUrl) return undefined;
  const told = config.movePublicUrl === config.publicUrl;
  if (!told && store.dialect === "postgres") throw localConfigError({ key: "start.publicUrl.other", values: { recorded, url: config.publicUrl } });
  await replaceInstanceSetting(store.db, "public_url", config.publicUrl);
  return { key: told ? "start.publicUrl.moved" : "start.publicUrl.changed", values: { from: recorded, to: config.publicUrl, redirect: oauthRedirectUrl(config) } };
}
