import type { Dispatcher } from "undici";
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

/** A provider that cannot be reached or answers nonsense is not the caller's mistake: it is a failure to report. */
export class ProviderError extends Error {
  constructor(
    message: string,
    /** The provider's OAuth error code when it gave one (invalid_grant, invalid_client…). */
    readonly code: string = "provider_error",
    readonly status: number = 0,
  ) {
    super(message);
  }
}

export const providerTimeoutMs = 15_000;

export async function providerFetch(instance: Instance, url: string, init: RequestInit): Promise<Response> {
  const dispatcher = providerDispatcher(instance);
  try {
    return await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(providerTimeoutMs), ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    throw new ProviderError(`cannot reach ${new URL(url).origin}: ${cause?.message ?? (error as Error).message}`, "unreachable");
  }
}
