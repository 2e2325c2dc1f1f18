import { oauthRedirectUrl } from "../consumer/oauth-redirect-url.ts";
import type { Instance } from "../instance.ts";
import { lastServedPublicUrl } from "../store/served-url-store.ts";

/**
 * The redirect URL as far as a command can know it, and how it knows: the public URL it was
 * given (--public-url, PORTCULLIS_PUBLIC_URL), else the one the instance last started serving,
 * else only the default its config assumes (http://127.0.0.1:8080), which an instance started
 * with --port elsewhere does not serve. The admin UI needs none of this: it is the instance.
 */
export interface KnownRedirectUrl {
  url: string;
  source: "given" | "served" | "assumed";
}

/** The instance's public URL, known the same way: what any address of it a command prints starts with. */
export async function knownPublicUrl(instance: Instance, options: { publicUrlGiven: boolean }): Promise<KnownRedirectUrl> {
  if (options.publicUrlGiven) return { url: instance.config.publicUrl, source: "given" };
  const served = await lastServedPublicUrl(instance.store.db);
  if (served) return { url: served.url, source: "served" };
  return { url: instance.config.publicUrl, source: "assumed" };
}

export async function knownRedirectUrl(instance: Instance, options: { publicUrlGiven: boolean }): Promise<KnownRedirectUrl> {
  const known = await knownPublicUrl(instance, options);
  return { url: oauthRedirectUrl({ publicUrl: known.url }), source: known.source };
}

/** --public-url on this command, or PORTCULLIS_PUBLIC_URL in its environment (an empty one counts as unset, as config.ts reads it). */
export function publicUrlGiven(flag: string | undefined, env: NodeJS.ProcessEnv): boolean {
  return flag !== undefined || !!env.PORTCULLIS_PUBLIC_URL;
}
