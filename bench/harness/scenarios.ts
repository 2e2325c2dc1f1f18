import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchRedirectUri, benchVerifier, type Credentials, type PortcullisSetup } from "./portcullis.ts";

export type ServerKind = "ceiling" | "fastify-floor" | "oidc-provider" | "oauth2-server" | "portcullis";

/** One server process under load. */
export interface ServerUnderTest {
  name: string;
  kind: ServerKind;
  base: string;
  pid: number;
  /** Set for Portcullis: where its data is, to seed values before a run. */
  setup?: PortcullisSetup;
  /** Tokens already stored when the run started (the issuance-with-N-stored comparison). */
  storedTokens: number;
  workers: number;
  /** Credentials the server knows: a client alone, and one acting as a user. */
  service: Credentials;
  userClient: Credentials;
  /** A live access token of the user client (bearer GET) and of the service client (introspection). */
  userToken?: string;
  serviceToken?: string;
}

/** What the load generator sends; `{{value}}` in the body takes a fresh value per request. */
export interface Job {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
  values?: { file: string } | { prefix: string };
}

export interface Scenario {
  name: string;
  title: string;
  /** Whether this server takes part; peers that have no such feature (or no way to seed it) sit out. */
  includes(server: ServerUnderTest): boolean;
  job(server: ServerUnderTest, valuesNeeded: number): Promise<Job>;
}

const form = { "content-type": "application/x-www-form-urlencoded" };
const basic = (c: Credentials) => `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.secret)}`).toString("base64")}`;
const isPlainServer = (s: ServerUnderTest) => s.storedTokens === 0;
/** The framework floor answers only the two scenarios the ceiling targets are set on. */
const notFloor = (s: ServerUnderTest) => s.kind !== "fastify-floor";
let valueFiles = 0;

/** Seeded one-use values (refresh tokens, codes) go to a file the load generator reads. */
function valuesFile(values: string[]): { file: string } {
  const file = path.join(os.tmpdir(), `portcullis-bench-values-${process.pid}-${valueFiles++}.txt`);
  fs.writeFileSync(file, values.join("\n"));
  return { file };
}

export const scenarios: Scenario[] = [
  {
    name: "client_credentials",
    title: "client_credentials token issue",
    includes: () => true,
    job: async (s) => ({ method: "POST", path: "/oauth_token.do", headers: { ...form, authorization: basic(s.service) }, body: "grant_type=client_credentials" }),
  },
  {
    name: "bearer_get",
    title: "bearer-authenticated GET /api/now/v1/whoami",
    includes: (s) => s.kind !== "oidc-provider" && isPlainServer(s),
    job: async (s) => ({ method: "GET", path: "/api/now/v1/whoami", headers: { authorization: `Bearer ${s.userToken ?? "at-bench"}` } }),
  },
  {
    // The Table API single-record read, measured once a Portcullis answers it (probed at start).
    name: "table_read",
    title: "bearer GET /api/now/table/sys_user/{sys_id}",
    includes: (s) => (s.kind === "ceiling" || (s.kind === "portcullis" && tableApiAvailable.has(s.name))) && isPlainServer(s) && tableApiAvailable.size > 0,
    job: async (s) => ({ method: "GET", path: `/api/now/table/sys_user/${s.setup?.adminSysId ?? "x"}`, headers: { authorization: `Bearer ${s.userToken ?? "at-bench"}`, accept: "application/json" } }),
  },
  {
    name: "introspection",
    title: "RFC 7662 introspection of a live token",
    includes: (s) => s.kind !== "oauth2-server" && notFloor(s) && isPlainServer(s) && s.workers === 1,
    job: async (s) => ({ method: "POST", path: "/oauth_introspect", headers: { ...form, authorization: basic(s.service) }, body: `token=${s.serviceToken ?? "x"}` }),
  },
  {
    name: "refresh_rotation",
    title: "refresh_token grant with rotation",
    includes: (s) => s.kind !== "oidc-provider" && notFloor(s) && isPlainServer(s) && s.workers === 1,
    job: async (s, needed) => ({
      method: "POST",
      path: "/oauth_token.do",
      headers: { ...form, authorization: basic(s.userClient) },
      body: "grant_type=refresh_token&refresh_token={{value}}",
      values: s.setup ? valuesFile(await s.setup.seedRefreshTokens(needed)) : { prefix: `rt-${Date.now()}-` },
    }),
  },
  {
    name: "code_exchange",
    title: "authorization_code exchange with PKCE",
    includes: (s) => s.kind !== "oidc-provider" && notFloor(s) && isPlainServer(s) && s.workers === 1,
    job: async (s, needed) => ({
      method: "POST",
      path: "/oauth_token.do",
      headers: { ...form, authorization: basic(s.userClient) },
      body: `grant_type=authorization_code&code={{value}}&redirect_uri=${encodeURIComponent(benchRedirectUri)}&code_verifier=${benchVerifier}`,
      values: s.setup ? valuesFile(await s.setup.seedAuthCodes(needed)) : { prefix: `code-${Date.now()}-` },
    }),
  },
];

/** Portcullis servers that answered the Table API probe. */
export const tableApiAvailable = new Set<string>();

export function removeValueFiles(): void {
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (entry.startsWith(`portcullis-bench-values-${process.pid}-`)) fs.rmSync(path.join(os.tmpdir(), entry), { force: true });
  }
}
