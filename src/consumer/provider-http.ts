import type { Dispatcher } from "undici";
import { inEnglish, type StoredText } from "../i18n/stored-text.ts";
import type { Instance } from "../instance.ts";
import { readTrustCa, trustingDispatcher } from "../tls/trust.ts";

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

export async function providerFetch(instance: Instance, url: string, init: RequestInit): Promise<Response> {
  const dispatcher = providerDispatcher(instance);
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(providerTimeoutMs), ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    throw new ProviderError({ key: "providerError.unreachable", values: { origin: new URL(url).origin, cause: cause?.message ?? (error as Error).message } }, "unreachable");
  }
}
