import { isStoredText, type StoredText } from "../i18n/stored-text.ts";
import { errorSummary } from "./error-summary.ts";
import { type InstanceAdminClient, RemoteAdminError } from "./instance-admin-client.ts";
import { actsAs, type Direction, probePath } from "./pipeline-plan.ts";

/**
 * What one direction's proof came to: the far side's answer to the probe, or (status 0) why
 * there was none, with the step that failed already worded as the edge's detail.
 */
export type Probe = Awaited<ReturnType<InstanceAdminClient["call"]>> & { detail?: StoredText };

/** The first text in `text`, or in the texts it holds, that `match` accepts: a cause is often kept inside a wrapper ("token request failed: …"). */
function findText(text: StoredText, match: (t: StoredText) => boolean): StoredText | undefined {
  if (match(text)) return text;
  for (const value of Object.values(text.values ?? {})) {
    const found = typeof value === "object" ? findText(value, match) : undefined;
    if (found) return found;
  }
  return undefined;
}

const untrustedKeys: readonly string[] = ["providerError.untrusted", "providerError.untrustedBesideCa"];

/**
 * An instance's own reason, as the edge's detail says it. A certificate the consumer does not
 * trust is said as the pipeline's cure: that instance's PORTCULLIS_TRUST_CA and a restart, named
 * by the file's instance names. The instance's own words also advise setting it "for provider
 * commands run from a shell", which no pipeline run is.
 */
export function pipelineReason(reason: StoredText, direction: Pick<Direction, "from" | "to">): StoredText {
  const untrusted = findText(reason, (t) => untrustedKeys.includes(t.key));
  if (!untrusted) return reason;
  const values = { from: direction.from.name, to: direction.to.name, origin: untrusted.values?.origin ?? direction.to.url, cause: untrusted.values?.cause ?? "" };
  return untrusted.key === "providerError.untrustedBesideCa" ? { key: "trust.detail.untrustedCaBeside", values: { ...values, file: untrusted.values?.file ?? "" } } : { key: "trust.detail.untrustedCa", values };
}

/** The failure of a token request or a call, as the consumer answered it: its reason alone, not the admin request that carried it. */
function failureReason(error: Error): StoredText | string {
  if (!(error instanceof RemoteAdminError)) return error.message;
  return error.reasonText ?? error.text;
}

/** A step that threw: the token request, or the call itself. Named as the step that failed, so a refused token is not read as a failed whoami. */
export function failedProbe(step: "token" | "call", direction: Direction): (error: Error) => Probe {
  return (error) => {
    const reason = failureReason(error);
    const worded = typeof reason === "string" ? reason : pipelineReason(reason, direction);
    const detail: StoredText = step === "token" ? { key: "trust.detail.tokenFailed", values: { to: direction.to.name, reason: worded } } : { key: "trust.detail.callFailed", values: { path: probePath, body: worded } };
    return { status: 0, body: reason, ...(error instanceof RemoteAdminError ? { code: error.code } : {}), detail };
  };
}

/**
 * Nobody refused anything: the far side (or the consumer) was never answered. A new secret
 * cannot make a peer reachable or its certificate trusted; it only voided the copies every
 * other consumer held, once per direction, on every run until the network was fixed.
 */
export const unanswered = (call: Probe): boolean => call.code === "unreachable" || call.code === "certificate";

/**
 * What a probe's outcome reads as in the edge's detail column. With `wantUser` (the far side's
 * token_user), a token that acts as anyone else is a broken edge too: whoami allows it.
 */
export function callOutcome(call: Probe, direction: Pick<Direction, "from" | "to">, wantUser?: string): { status: "ok" | "broken"; detail: StoredText } {
  if (call.status === 200 && wantUser !== undefined && actsAs(call) !== wantUser) return { status: "broken", detail: { key: "trust.detail.wrongUser", values: { actual: actsAs(call) || { key: "trust.detail.noUser" }, user: wantUser } } };
  return { status: call.status === 200 ? "ok" : "broken", detail: callDetail(call, direction) };
}

function callDetail(call: Probe, direction: Pick<Direction, "from" | "to">): StoredText {
  if (call.detail) return call.detail;
  if (call.status === 200) return { key: "trust.detail.callOk", values: { path: probePath } };
  // A failure of our own request is a catalog text (the admin client's), worded in the reader's language.
  if (!call.status) return { key: "trust.detail.callFailed", values: { path: probePath, body: isStoredText(call.body) ? pipelineReason(call.body, direction) : errorSummary(call.body) } };
  // The far side's own answer is summed up, not shown as its JSON: its message is English whatever the reader's language.
  const summary = errorSummary(call.body);
  return summary ? { key: "trust.detail.callStatus", values: { path: probePath, status: call.status, body: summary } } : { key: "trust.detail.callStatusOnly", values: { path: probePath, status: call.status } };
}
