import { applyProviderChanges, changesWhereTokensGo, editableFieldsOf, type OAuthProvider, type ProviderChanges } from "../domain/oauth-provider.ts";
import { assertVersion, type ExpectedVersions, StaleRecordError } from "../domain/record-version.ts";
import type { StoredText } from "../i18n/stored-text.ts";
import type { Instance } from "../instance.ts";
import { discardObtainedToken, readObtainedToken } from "../store/obtained-token-store.ts";
import { assertProviderNamesFree, deleteProvider, type ProviderUpdate, updateProvider } from "../store/provider-store.ts";
import { ProviderError, readProviderBody, tokenAnswerLimit } from "./provider-http.ts";
import { instanceSecretBox } from "./secret-box.ts";
import { postAsClient } from "./token-request.ts";

/** What asking the provider to revoke came to: nothing to ask (no URL or no token), revoked, or refused with why. */
export type RevocationOutcome = { kind: "none" } | { kind: "revoked"; generation: number } | { kind: "failed"; reason: StoredText };

/**
 * RFC 7009: before a provider record goes, the tokens obtained with it are revoked at the
 * provider, so they do not stay valid there with nobody holding them. The refresh token first
 * (revoking it also ends its access tokens at servers that tie them, §2.1), then the access
 * token. A 200 means revoked, including for a token the provider no longer knows (§2.2).
 * Best effort: the caller deletes the record whatever this says, and reports a failure.
 */
export async function revokeAtProvider(instance: Instance, provider: OAuthProvider): Promise<RevocationOutcome> {
  if (!provider.revocationUrl) return { kind: "none" };
  let stored: Awaited<ReturnType<typeof readObtainedToken>>;
  try {
    stored = await readObtainedToken(instance.store.db, instanceSecretBox(instance), provider.sysId);
  } catch (error) {
    // A token this instance cannot decrypt (its secret key lost) cannot be revoked, but must not keep the record from going.
    if (error instanceof ProviderError) return { kind: "failed", reason: error.text };
    throw error;
  }
  if (!stored) return { kind: "none" };
  const tokens = [
    ...(stored?.refreshToken ? [{ token: stored.refreshToken, token_type_hint: "refresh_token" }] : []),
    ...(stored?.accessToken ? [{ token: stored.accessToken, token_type_hint: "access_token" }] : []),
  ];
  if (tokens.length === 0) return { kind: "none" };
  for (const params of tokens) {
    try {
      const response = await postAsClient(instance, provider, provider.revocationUrl, params);
      if (response.status !== 200) return { kind: "failed", reason: await refusal(response, provider.revocationUrl) };
      await response.body?.cancel();
    } catch (error) {
      if (error instanceof ProviderError) return { kind: "failed", reason: error.text };
      throw error;
    }
  }
  return { kind: "revoked", generation: stored.generation };
}

async function refusal(response: Response, url: string): Promise<StoredText> {
  try {
    const body = JSON.parse(await readProviderBody(response, url, tokenAnswerLimit)) as { error?: unknown } | null;
    if (typeof body?.error === "string") return { key: "providerError.revocationRefusedCode", values: { status: response.status, code: body.error } };
  } catch {}
  return { key: "providerError.revocationRefused", values: { status: response.status } };
}

/** Revokes at the provider (best effort), then deletes the record; the audit row says how the revocation went. */
export async function deleteProviderRevoking(instance: Instance, provider: OAuthProvider, actor: string): Promise<RevocationOutcome> {
  const outcome = await revokeAtProvider(instance, provider);
  const reason: StoredText = outcome.kind === "revoked" ? { key: "auditReason.deletedProviderRevoked" } : outcome.kind === "failed" ? { key: "auditReason.deletedProviderRevocationFailed", values: { reason: outcome.reason } } : { key: "auditReason.deletedProvider" };
  await deleteProvider(instance.store.db, provider.sysId, actor, reason);
  return outcome;
}

/**
 * Edits a provider. An edit that changes where tokens go (`changesWhereTokensGo`: a new client
 * ID, or a token or revocation URL on an origin not named before) drops the token held; like a
 * delete, it is first revoked at the old provider, best effort. The edit is checked in full before anything is sent, so a refused edit
 * neither changes the record nor revokes anything.
 */
export async function updateProviderRevoking(instance: Instance, current: OAuthProvider, changes: ProviderChanges, actor: string, expected?: ExpectedVersions): Promise<ProviderUpdate & { revocation: RevocationOutcome }> {
  assertVersion(current, expected);
  const after = applyProviderChanges(current, changes);
  const moves = changesWhereTokensGo(editableFieldsOf(current), after);
  if (moves) await assertProviderNamesFree(instance.store.db, after, current.sysId);
  const revocation: RevocationOutcome = moves ? await revokeAtProvider(instance, current) : { kind: "none" };
  const reason: StoredText = revocation.kind === "revoked" ? { key: "auditReason.tokenMovedRevoked" } : revocation.kind === "failed" ? { key: "auditReason.tokenMovedRevocationFailed", values: { reason: revocation.reason } } : { key: "auditReason.tokenMoved" };
  // What was revoked is the token of the record as read: the edit applies to that version only.
  const version = expected ?? (moves ? [current.modCount] : undefined);
  try {
    return { ...(await updateProvider(instance.store.db, instanceSecretBox(instance), current.sysId, changes, actor, { revocation: reason, expected: version })), revocation };
  } catch (error) {
    // Saved by someone else while the provider was asked: the edit is refused, but the token it revoked is dead there.
    if (error instanceof StaleRecordError && revocation.kind === "revoked") await discardObtainedToken(instance.store.db, current.sysId, revocation.generation, actor, { key: "auditReason.revokedByRefusedEdit" });
    throw error;
  }
}
