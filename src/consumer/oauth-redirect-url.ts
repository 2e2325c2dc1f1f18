import type { Config } from "../config.ts";
import { paths } from "../http/paths.ts";

/**
 * Where a provider sends the admin back: this instance's own /oauth_redirect.do, at its public
 * URL as it serves now. The flow uses this, not the provider record's stored redirect_url: a
 * record made by the CLI without --public-url, or before the public URL changed, stored
 * another address, and a code sent there never comes back to the instance that asked.
 */
export function oauthRedirectUrl(config: Pick<Config, "publicUrl">): string {
  return config.publicUrl + paths.oauthRedirect;
}
