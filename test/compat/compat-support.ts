import path from "node:path";
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { readCaCertificates, trustingDispatcher } from "../../src/tls/trust.ts";
import type { DialectUnderTest } from "../support/stores.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, type HttpResult } from "../support/oauth.ts";

/**
 * The compatibility suite talks to an instance the way the platform's clients do: over
 * https://localhost, verifying the certificate against the development CA and nothing else.
 */
export interface HttpsInstance {
  server: TestInstance;
  caFile: string;
  close(): Promise<void>;
}

export async function startHttpsInstance(dialect: DialectUnderTest): Promise<HttpsInstance> {
  const server = await startTestInstance(dialect, { https: true });
  const caFile = path.join(server.instance.config.dataDir, "tls", "ca.pem");
  const previous: Dispatcher = getGlobalDispatcher();
  setGlobalDispatcher(trustingDispatcher(readCaCertificates(caFile)));
  return {
    server,
    caFile,
    close: async () => {
      setGlobalDispatcher(previous);
      await server.close();
    },
  };
}

/** Query parameters in the order the client builds them, encoded as Python's requests does. */
export function pythonQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, "+")}`).join("&");
}

export function send(base: string, method: string, pathAndQuery: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<HttpResult> {
  return http(`${base}${pathAndQuery}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === "string" ? body : Uint8Array.from(body) }) });
}
