import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ProviderError } from "../../consumer/provider-http.ts";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import { storeObtained } from "../../consumer/connection-token.ts";
import { requestToken } from "../../consumer/token-request.ts";
import { newSecret, sha256 } from "../../domain/secrets.ts";
import type { Instance } from "../../instance.ts";
import { consumeConsumerState, saveConsumerState } from "../../store/obtained-token-store.ts";
import { findProvider } from "../../store/provider-store.ts";
import { findUserById, rolesOf } from "../../store/user-store.ts";
import { requestTranslator } from "../i18n/request-locale.ts";
import { currentSession } from "../identity/login-session.ts";
import { connectedPage } from "../ui/connection-pages.tsx";
import { errorPage } from "../ui/authorize-pages.tsx";
import { expectedIssuer } from "../../consumer/issuer-discovery.ts";
import { rawQuery } from "../query-string.ts";
import { oauthRedirectUrl } from "../../consumer/oauth-redirect-url.ts";
import { adminPaths } from "../admin/admin-paths.ts";
import { worded } from "../../i18n/stored-text.ts";

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
  return { session, i18n: requestTranslator(instance, request, user.preferredLanguage) };
}

/** The sign-in page, then back to the registry: the admin starts "Get OAuth Token" again from there. */
const signInThen = (next: string) => `${adminPaths.signIn}?${new URLSearchParams({ next })}`;

/**
 * GET /api/portcullis/connections/{id}/authorize — "Get OAuth Token" for the
 * authorization-code grant: sends the signed-in admin to the provider with PKCE (S256) and a
 * `state` that only this login session can redeem, once, within ten minutes.
 */
export async function startAuthorization(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const admin = await adminSession(instance, request);
  if (!admin) {
    const i18n = requestTranslator(instance, request);
    return sendPage(reply, 401, errorPage({ i18n, title: i18n.t("connection.signInTitle"), message: i18n.t("connection.signInToStart"), next: { href: signInThen(adminPaths.registry), label: i18n.t("connection.signInLink") } }));
  }
  const { session, i18n } = admin;
  const id = (request.params as { id: string }).id;
  const provider = await findProvider(instance.store.db, id);
  if (!provider) return sendPage(reply, 404, errorPage({ i18n, title: i18n.t("connection.noProviderTitle"), message: i18n.t("connection.noProvider", { id }) }));
  if (!provider.authorizationUrl) return sendPage(reply, 400, errorPage({ i18n, title: i18n.t("connection.noAuthorizationUrlTitle"), message: i18n.t("connection.noAuthorizationUrl", { name: provider.name }) }));

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
    redirect_uri: oauthRedirectUrl(instance.config),
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
  const query = new URLSearchParams(rawQuery(request.url));
  const state = query.get("state");
  const admin = await adminSession(instance, request);
  const i18n = admin?.i18n ?? requestTranslator(instance, request);
  const refused = (message: string) => sendPage(reply, 400, errorPage({ i18n, title: i18n.t("connection.refusedTitle"), message }));
  if (!state || query.getAll("state").length !== 1) return refused(i18n.t("connection.noState"));
  if (!admin) return sendPage(reply, 401, errorPage({ i18n, title: i18n.t("connection.signInTitle"), message: i18n.t("connection.signInToFinish"), next: { href: signInThen(adminPaths.registry), label: i18n.t("connection.signInLink") } }));
  const stateHash = sha256(state);
  const pending = await consumeConsumerState(instance.store.db, stateHash, admin.session.sysId);
  if (!pending) return refused(i18n.t("connection.stateUnknown"));
  const provider = pending.provider;
  if (!provider) return refused(i18n.t("connection.providerDeleted"));
  // RFC 9207 §2.4: a provider that says it names itself must, on errors too, and exactly;
  // otherwise the answer may be another server's code, replayed at this redirect URL (mix-up).
  if (pending.expectedIssuer !== null) {
    const iss = query.getAll("iss");
    if (iss.length !== 1 || iss[0] !== pending.expectedIssuer) {
      const values = { provider: provider.name, expected: pending.expectedIssuer, iss: iss.join(", ") };
      return sendPage(reply, 400, errorPage({ title: i18n.t("consumer.issTitle"), message: i18n.t(iss.length === 0 ? "consumer.issMissing" : "consumer.issMismatch", values), i18n }));
    }
  }
  const error = query.get("error");
  const description = query.get("error_description");
  if (error) return refused(description ? i18n.t("connection.providerRefusedWithDescription", { provider: provider.name, error, description }) : i18n.t("connection.providerRefused", { provider: provider.name, error }));
  const code = query.get("code");
  if (!code) return refused(i18n.t("connection.noCode"));

  const verifier = instanceSecretBox(instance).open(pending.codeVerifierEnc, verifierContext(stateHash));
  try {
    const fields = await requestToken(instance, provider, { grant_type: "authorization_code", code, redirect_uri: oauthRedirectUrl(instance.config), code_verifier: verifier });
    await storeObtained(instance, provider, "authorization_code", fields);
    sendPage(reply, 200, connectedPage({ i18n, providerName: provider.name, scope: fields.scope ?? "", providerHref: adminPaths.provider(provider.sysId) }));
  } catch (failure) {
    if (!(failure instanceof ProviderError)) throw failure;
    sendPage(reply, 502, errorPage({ i18n, title: i18n.t("connection.failedTitle"), message: i18n.t("connection.failed", { provider: provider.name, reason: worded(failure.text, i18n.t) }) }));
  }
}
