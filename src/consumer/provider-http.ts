import type { Dispatcher } from "undici";
import { BodyTooLargeError, readBoundedBody } from "../bounded-body.ts";
import { inEnglish, type StoredText } from "../i18n/stored-text.ts";
import type { Instance } from "../instance.ts";
import { isUnknownIssuer, readTrustCa, trustingDispatcher } from "../tls/trust.ts";

const dispatchers = new WeakMap<Instance, Dispatcher | null>();

/** How this instance reaches providers: the public roots, plus the operator's CA when one is configured. */
export function providerDispatcher(instance: Instance): Dispatcher | undefined {
  let dispatcher = dispatchers.get(instance);
  if (dispatcher === undefined) {
    dispatcher = instance.config.trustCa ? trustingDispatcher(readTrustCa(instance.config.trustCa)) : null;
    dispatchers.set(instance, dispatcher);
  }
  return dispatcher ?? undefined;
}

/**
 * A provider that cannot be reached or answers nonsense is not the caller's mistake: it is a
 * failure to report. `text` words it for the reader (and is what a connection keeps as its
 * reason); `message` is its English, for logs and the JSON APIs.
 */
export class ProviderError extends Error {
  constructor(
    readonly text: StoredText,
    /** The provider's OAuth error code when it gave one (invalid_grant, invalid_client…). */
    readonly code: string = "provider_error",
    readonly status: number = 0,
  ) {
    super(inEnglish(text));
  }
}

export const providerTimeoutMs = 15_000;

/**
 * The timeout covers the answer's body too: a provider that sends headers and then stalls is as
 * slow as one that sends nothing. A certificate from a CA this process does not trust says
 * which setting trusts it (`trustCa`, the file PORTCULLIS_TRUST_CA names, if any), since
 * "unable to verify the first certificate" alone names no cure.
 */
function failure(url: string, error: unknown, trustCa: string | undefined): ProviderError {
  const origin = new URL(url).origin;
  if ((error as Error).name === "TimeoutError") return new ProviderError({ key: "providerError.timedOut", values: { origin, seconds: providerTimeoutMs / 1000 } }, "timeout");
  const cause = (error as Error & { cause?: Error & { code?: string } }).cause;
  const values = { origin, cause: cause?.message ?? (error as Error).message };
  if (isUnknownIssuer(cause?.code)) {
    return new ProviderError(trustCa ? { key: "providerError.untrustedBesideCa", values: { ...values, file: trustCa } } : { key: "providerError.untrusted", values }, "unreachable");
  }
  return new ProviderError({ key: "providerError.unreachable", values }, "unreachable");
}

export async function providerFetch(instance: Instance, url: string, init: RequestInit): Promise<Response> {
  const dispatcher = providerDispatcher(instance);
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(providerTimeoutMs), ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
  } catch (error) {
    throw failure(url, error, instance.config.trustCa);
  }
}

/** A provider's answer as text, read up to `limit` bytes (bounded-body.ts); past it the answer is refused as too large. */
export async function readProviderBody(response: Response, url: string, limit: number): Promise<string> {
  try {
    return await readBoundedBody(response, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new ProviderError({ key: "providerError.answerTooLarge", values: { origin: new URL(url).origin, limit: `${Math.round(limit / 1024)} KiB` } }, "too_large");
    }
    // The connection is up by now: no certificate is judged while the body is read.
    throw failure(url, error, undefined);
  }
}

/** A token, revocation or metadata answer: a few kilobytes even with a large JWT. */
export const tokenAnswerLimit = 1024 * 1024;
/** An API answer that is handed back whole, inside the call's own JSON answer. */
export const callAnswerLimit = 16 * 1024 * 1024;
