import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ProviderError } from "../../consumer/provider-http.ts";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import { requestToken } from "../../consumer/token-request.ts";
import { newSecret, sha256 } from "../../domain/secrets.ts";
import type { Instance } from "../../instance.ts";
import { consumeConsumerState, saveConsumerState, saveObtainedToken } from "../../store/obtained-token-store.ts";
import { findProvider } from "../../store/provider-store.ts";
import { findUserById, rolesOf } from "../../store/user-store.ts";
import { currentSession } from "../identity/login-session.ts";
import { connectedPage } from "../ui/connection-pages.tsx";
import { errorPage } from "../ui/authorize-pages.tsx";
import { expectedIssuer } from "../../consumer/issuer-discovery.ts";
import { requestTranslator } from "../i18n/request-locale.ts";

/** Long enough to sign in at the provider and consent; short enough that a leaked state is soon useless. */
const stateLifespanMs = 10 * 60 * 1000;
const verifierContext = (stateHash: string) => `consumer-verifier:${stateHash}`;

function sendPage(reply: FastifyReply, status: number, html: string): void {
  reply.code(status).header("cache-control", "no-store").type("text/html; charset=utf-8").send(html);
}

async function adminSession(instance: Instance, request: FastifyRequest) {
  const session = await currentSession(instance, request);
  const user = session && (await findUserById(instance.store.db, session.userSysId));
  if (!session || !user?.active || !(await rolesOf(instance.store.db, user.sysId)).includes("admin")) return undefined;
  return session;
}

/**
 * GET /api/portcullis/connections/{id}/authorize — "Get OAuth Token" for the
 * authorization-code grant: sends the signed-in admin to the provider with PKCE (S256) and a
 * `state` that only this login session can redeem, once, within ten minutes.
 */
export async function startAuthorization(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const session = await adminSession(instance, request);
  if (!session) return sendPage(reply, 401, errorPage({ title: "Sign in first", message: "Getting a provider's token needs an admin signed in to this instance in this browser." }));
  const id = (request.params as { id: string }).id;
  const provider = await findProvider(instance.store.db, id);
  if (!provider) return sendPage(reply, 404, errorPage({ title: "No such provider", message: `There is no provider "${id}" on this instance.` }));
  if (!provider.authorizationUrl) return sendPage(reply, 400, errorPage({ title: "No authorization URL", message: `The provider "${provider.name}" has no authorization URL, so it cannot use the authorization code grant.` }));

  const state = newSecret();
  const verifier = newSecret();
  const stateHash = sha256(state);
  await saveConsumerState(instance.store.db, {
    state_hash: stateHash,
    provider: provider.sysId,
    session: session.sysId,
    code_verifier_enc: instanceSecretBox(instance).seal(verifier, verifierContext(stateHash)),
    expires_at: Date.now() + stateLifespanMs,
    consumed_at: null,
    expected_issuer: await expectedIssuer(instance, provider),
  });
  const target = new URL(provider.authorizationUrl);
  const params: Record<string, string> = {
    response_type: "code",
    client_id: provider.clientId,
    redirect_uri: provider.redirectUrl,
    state,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  };
  if (provider.scope) params.scope = provider.scope;
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  reply.header("cache-control", "no-store").redirect(target.toString(), 303);
}

/** GET /oauth_redirect.do — where providers send the admin back with `code` and `state`. */
export async function oauthRedirect(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const query = new URLSearchParams(request.url.split("?")[1] ?? "");
  const state = query.get("state");
  const refused = (message: string) => sendPage(reply, 400, errorPage({ title: "Connection refused", message }));
  if (!state || query.getAll("state").length !== 1) return refused("The provider's answer carries no state, so it cannot be matched to a request from this instance.");
  const session = await adminSession(instance, request);
  if (!session) return sendPage(reply, 401, errorPage({ title: "Sign in first", message: "The answer must come back to the browser session of the admin who asked for it." }));
  const stateHash = sha256(state);
  const pending = await consumeConsumerState(instance.store.db, stateHash, session.sysId);
  if (!pending) return refused("This answer does not match a pending request of your session, was already used, or expired. Start again.");
  const provider = await findProvider(instance.store.db, pending.provider);
  if (!provider) return refused("The provider record was deleted meanwhile.");
  // RFC 9207 §2.4: a provider that says it names itself must, on errors too, and exactly;
  // otherwise the answer may be another server's code, replayed at this redirect URL (mix-up).
  if (pending.expectedIssuer !== null) {
    const iss = query.getAll("iss");
    if (iss.length !== 1 || iss[0] !== pending.expectedIssuer) {
      const i18n = requestTranslator(instance, request);
      const values = { provider: provider.name, expected: pending.expectedIssuer, iss: iss.join(", ") };
      return sendPage(reply, 400, errorPage({ title: i18n.t("consumer.issTitle"), message: i18n.t(iss.length === 0 ? "consumer.issMissing" : "consumer.issMismatch", values), i18n }));
    }
  }
  const error = query.get("error");
  if (error) return refused(`${provider.name} refused: ${error}${query.get("error_description") ? ` (${query.get("error_description")})` : ""}.`);
  const code = query.get("code");
  if (!code) return refused("The provider's answer carries no code.");

  const verifier = instanceSecretBox(instance).open(pending.codeVerifierEnc, verifierContext(stateHash));
  try {
    const fields = await requestToken(instance, provider, { grant_type: "authorization_code", code, redirect_uri: provider.redirectUrl, code_verifier: verifier });
    await saveObtainedToken(instance.store.db, instanceSecretBox(instance), provider.sysId, "authorization_code", fields);
    sendPage(reply, 200, connectedPage({ providerName: provider.name, scope: fields.scope ?? "" }));
  } catch (failure) {
    if (!(failure instanceof ProviderError)) throw failure;
    sendPage(reply, 502, errorPage({ title: "Connection failed", message: `${provider.name}: ${failure.message}.` }));
  }
}
