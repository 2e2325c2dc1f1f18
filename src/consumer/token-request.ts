import type { OAuthProvider } from "../domain/oauth-provider.ts";
import type { StoredText } from "../i18n/stored-text.ts";
import type { Instance } from "../instance.ts";
import type { TokenResponseFields } from "../store/obtained-token-store.ts";
import { providerClientSecret } from "../store/provider-store.ts";
import { ProviderError, providerFetch, readProviderBody, tokenAnswerLimit } from "./provider-http.ts";
import { instanceSecretBox } from "./secret-box.ts";

/** RFC 6749 §2.3.1: the client ID and secret are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

export const staleProvider = (provider: OAuthProvider): StoredText => ({ key: "providerError.recordChanged", values: { name: provider.name } });

/** A form POST to one of the provider's endpoints, the client authenticated the way the record says. */
export async function postAsClient(instance: Instance, provider: OAuthProvider, url: string, params: Record<string, string>): Promise<Response> {
  const secret = await providerClientSecret(instance.store.db, instanceSecretBox(instance), provider);
  // The record was edited (or deleted) since `provider` was read: its secret is for another client or server.
  if (secret === undefined) throw new ProviderError(staleProvider(provider), "provider_changed");
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (provider.credentialStyle === "basic") {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(provider.clientId)}:${formEncode(secret)}`).toString("base64")}`;
  } else {
    form.set("client_id", provider.clientId);
    form.set("client_secret", secret);
  }
  return providerFetch(instance, url, { method: "POST", headers, body: form.toString() });
}

/**
 * One request to a provider's token endpoint (RFC 6749 §4.1.3, §4.3, §4.4, §6), with the
 * client authenticated the way the record says: HTTP Basic or in the body, never both.
 */
export async function requestToken(instance: Instance, provider: OAuthProvider, params: Record<string, string>): Promise<TokenResponseFields> {
  const response = await postAsClient(instance, provider, provider.tokenUrl, params);
  const body = jsonObject(await readProviderBody(response, provider.tokenUrl, tokenAnswerLimit));
  // GitHub answers a refused code exchange with 200 and an RFC 6749 §5.2 error body: it is still a refusal, with its reason.
  if (!response.ok || (typeof body.error === "string" && body.access_token === undefined)) throw refusal(response, provider.tokenUrl, body);
  if (typeof body.access_token !== "string" || body.access_token === "") throw new ProviderError({ key: "providerError.noAccessToken", values: { status: response.status } });
  if (typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer") throw new ProviderError({ key: "providerError.notBearer", values: { tokenType: body.token_type } });
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === "string" && body.refresh_token !== "" ? body.refresh_token : undefined,
    scope: typeof body.scope === "string" ? body.scope : params.scope,
    expiresIn: lifetime(body.expires_in),
  };
}

/** RFC 6749 §5.1 answers with a JSON object; anything else (HTML, `null`, a list) has no fields to read. */
function jsonObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {}
  return {};
}

/**
 * RFC 6749 §5.2's `error` when the answer has one. Otherwise it is said so, rather than shown as
 * if the provider had sent an error code; a redirect says where to, since it is not followed
 * (the client's secret is not sent on to another address).
 */
function refusal(response: Response, url: string, body: Record<string, unknown>): ProviderError {
  const status = response.status;
  if (typeof body.error === "string") {
    const code = body.error;
    const text: StoredText = typeof body.error_description === "string" ? { key: "providerError.tokenRefusedWhy", values: { status, code, description: body.error_description } } : { key: "providerError.tokenRefused", values: { status, code } };
    return new ProviderError(text, code, status);
  }
  const location = response.headers.get("location");
  if (status >= 300 && status < 400 && location && URL.canParse(location, url)) return new ProviderError({ key: "providerError.tokenRedirected", values: { status, location: new URL(location, url).toString() } }, "provider_error", status);
  return new ProviderError({ key: "providerError.tokenAnswerNotOAuth", values: { status } }, "provider_error", status);
}

/** Past this, a lifetime means "does not expire" (10^13 s from now is no date a Date can hold). */
const longestLifetime = 100 * 365 * 24 * 3600;

/**
 * RFC 6749 §5.1: `expires_in` is a number of seconds; some servers send it as a string. It is
 * kept in whole seconds, because the expiry is stored as a bigint on PostgreSQL (3599.9995
 * failed the insert there), and a lifetime beyond a century is treated as none stated.
 */
function lifetime(value: unknown): number | undefined {
  const seconds = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > longestLifetime) return undefined;
  return Math.max(1, Math.floor(seconds));
}
