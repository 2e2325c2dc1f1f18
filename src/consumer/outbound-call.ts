import type { OAuthProvider } from "../domain/oauth-provider.ts";
import { issue, ValidationError } from "../domain/validation.ts";
import type { Instance } from "../instance.ts";
import { accessTokenFor, storedAccessToken } from "./connection-token.ts";
import { callAnswerLimit, providerFetch, readProviderBody } from "./provider-http.ts";

export const callMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export interface OutboundRequest {
  method: (typeof callMethods)[number];
  /** A path on the provider's origin (the token URL's), with its query: never another host. */
  path: string;
  body?: unknown;
}

export interface OutboundResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * The URL a call goes to. The token is only ever sent to the origin that issued it, so a
 * path that names another host (`//evil`, `http://…`) is refused rather than followed.
 */
export function callUrl(provider: OAuthProvider, path: string): string {
  if (!path.startsWith("/") || path.startsWith("//") || /[\s\\]/.test(path)) throw new ValidationError([issue("path", "validation.providerPath")]);
  const origin = new URL(provider.tokenUrl).origin;
  const url = new URL(path, origin);
  if (url.origin !== origin) throw new ValidationError([issue("path", "validation.providerOrigin")]);
  return url.toString();
}

/**
 * Calls a provider's API with the stored token: refreshed before expiry, and once more on a
 * 401. A `probe` sends the stored token as it is and reports what the provider says, for
 * checks that must not change anything (pipeline verify).
 */
export async function callProvider(instance: Instance, provider: OAuthProvider, request: OutboundRequest, options: { probe?: boolean } = {}): Promise<OutboundResponse> {
  const url = callUrl(provider, request.path);
  const send = async (token: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    let body: string | undefined;
    if (request.body !== undefined && request.method !== "GET") {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.body);
    }
    return providerFetch(instance, url, { method: request.method, headers, ...(body !== undefined ? { body } : {}) });
  };
  const token = options.probe ? await storedAccessToken(instance, provider) : await accessTokenFor(instance, provider);
  let response = await send(token);
  if (response.status === 401 && !options.probe) {
    await response.body?.cancel();
    response = await send(await accessTokenFor(instance, provider, token));
  }
  const contentType = response.headers.get("content-type") ?? "";
  const text = await readProviderBody(response, url, callAnswerLimit);
  let body: unknown = text;
  if (/\bjson\b/i.test(contentType)) {
    try {
      body = JSON.parse(text);
    } catch {}
  }
  return { status: response.status, contentType, body };
}
