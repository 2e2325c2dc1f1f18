import { type MessageKey, type MessageValues, translator } from "../../i18n/translator.ts";
import type { OAuthClient } from "../../domain/oauth-entity.ts";
import type { Instance } from "../../instance.ts";
import { findClientByClientId } from "../../store/oauth-entity-store.ts";
import { checkRedirectUri } from "./check-redirect-uri.ts";
import { clipped, OAuthError } from "./oauth-error.ts";
import { checkCodeChallenge } from "./pkce.ts";
import { resolveScope } from "./scope.ts";

/** The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3) that travel through login and consent. */
export const authorizationParameters = ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "response_mode"] as const;
export type AuthorizationParameters = Partial<Record<(typeof authorizationParameters)[number], string>>;

export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | undefined;
  scope: string;
  codeChallenge: string | null;
  params: AuthorizationParameters;
}

/** A problem found before the client and redirect URI are trusted: shown on a page, never redirected (RFC 6749 §4.1.2.1). */
export class AuthorizationPageError extends Error {
  constructor(
    readonly key: MessageKey,
    readonly values?: MessageValues,
  ) {
    super(translator("en").t(key, values));
  }
}

/** A problem found after: sent to the client's redirect URI with `error` and `state`. */
export class AuthorizationRedirectError extends Error {
  constructor(
    readonly redirectUri: string,
    readonly state: string | undefined,
    readonly error: OAuthError,
  ) {
    super(error.message);
  }
}

/**
 * Reads each parameter once; the repeated ones are listed, to be refused. Every other
 * parameter is still read, so the refusal reaches the redirect URI with the state
 * (RFC 6749 §4.1.2.1).
 */
export function readAuthorizationParameters(source: URLSearchParams): { params: AuthorizationParameters; repeated: string[] } {
  const params: AuthorizationParameters = {};
  const repeated: string[] = [];
  for (const name of authorizationParameters) {
    const values = source.getAll(name);
    if (values.length > 1) repeated.push(name);
    else if (values.length === 1 && values[0] !== "") params[name] = values[0];
  }
  return { params, repeated };
}

/** Validates an authorization request in the order RFC 6749 §4.1.2.1 requires. */
export async function validateAuthorizationRequest(instance: Instance, source: URLSearchParams): Promise<AuthorizationRequest> {
  const { params, repeated } = readAuthorizationParameters(source);
  const untrusted = repeated.find((name) => name === "client_id" || name === "redirect_uri");
  if (untrusted !== undefined) throw new AuthorizationPageError("authorizeError.repeated", { name: untrusted });
  if (params.client_id === undefined) throw new AuthorizationPageError("authorizeError.noClientId");
  const client = await findClientByClientId(instance.store.db, params.client_id);
  if (!client?.active) throw new AuthorizationPageError("authorizeError.unknownClient");
  const redirect = checkRedirectUri(client, params.redirect_uri);
  if (!redirect.ok) throw new AuthorizationPageError(redirect.key, redirect.values);

  const fail = (error: OAuthError) => new AuthorizationRedirectError(redirect.redirectUri, params.state, error);
  if (repeated.length > 0) throw fail(new OAuthError("invalid_request", `the parameter ${repeated[0]} was sent more than once`));
  // RFC 6749 §4.1.2.1: a missing parameter is invalid_request; a type we do not serve is unsupported_response_type.
  if (params.response_type === undefined) throw fail(new OAuthError("invalid_request", "response_type is missing; it must be code"));
  if (params.response_type !== "code") throw fail(new OAuthError("unsupported_response_type", "response_type must be code"));
  // A client that asked for form_post or fragment listens there: answering in the query anyway
  // would leave it waiting for a response that never comes where it looks (the metadata says query).
  if (params.response_mode !== undefined && params.response_mode !== "query") {
    throw fail(new OAuthError("invalid_request", `response_mode ${clipped(params.response_mode)} is not supported; the response comes in the query (response_mode=query)`));
  }
  if (!client.grantTypes.includes("authorization_code")) throw fail(new OAuthError("unauthorized_client", "this client is not allowed the authorization_code grant"));
  try {
    const scope = resolveScope(params.scope);
    const codeChallenge = checkCodeChallenge(params.code_challenge, params.code_challenge_method, client.pkceRequired || client.publicClient);
    return { client, redirectUri: redirect.redirectUri, state: params.state, scope, codeChallenge, params };
  } catch (error) {
    if (error instanceof OAuthError) throw fail(error);
    throw error;
  }
}

/**
 * The authorization response or error on the redirect URI, with `iss` (RFC 9207). The
 * registered query is kept as it was written (RFC 6749 §3.1.2), its parameters only added to:
 * read back through searchParams it would be rewritten (%2F to /, %20 to +, a bare `flag` to
 * `flag=`). The URL parser still places them before any fragment, which registration refuses.
 */
export function redirectLocation(redirectUri: string, issuer: string, values: Record<string, string | undefined>): string {
  const added = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) added.append(name, value);
  added.append("iss", issuer);
  const url = new URL(redirectUri);
  const kept = url.search.slice(1);
  url.search = kept === "" || kept.endsWith("&") ? `${kept}${added}` : `${kept}&${added}`;
  return url.href;
}
