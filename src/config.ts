import { isIP } from "node:net";
import { compile as compileProxyAddresses } from "@fastify/proxy-addr";
import { defaultLocale, locales } from "./i18n/locale.ts";
import path from "node:path";
import { z } from "zod";
import { translator, type LocalText } from "./i18n/translator.ts";
import { configIssueText } from "./config-issue.ts";

/**
 * Every setting an instance reads, with its default and why. CLI flags and
 * PORTCULLIS_* variables are merged into this once at start; nothing else reads
 * process.env.
 */
const flag = z.union([z.boolean(), z.stringbool()]);

/**
 * An entry Fastify's trustProxy takes (an IP, a CIDR or netmask, or a named range), asked of
 * proxy-addr, the library Fastify itself compiles the list with. Checked here, or start failed
 * only after creating the admin.
 */
function isProxyAddress(entry: string): boolean {
  try {
    compileProxyAddresses([entry]);
    return true;
  } catch {
    return false;
  }
}
/** A repeatable flag gives an array; the environment gives a comma-separated string. */
const list = z.preprocess(
  (value) => (typeof value === "string" ? value.split(",") : value),
  z.array(z.string().trim()).transform((items) => items.filter((item) => item !== "")),
);

const hostnamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const configSchema = z.object({
  /** Where the SQLite file and other instance state live. */
  dataDir: z.string().min(1).default("./data"),
  /** postgres://… switches storage to PostgreSQL; empty means the embedded SQLite file. */
  // Empty means none (an exported but blank DATABASE_URL); anything else must be a PostgreSQL URL, refused here with exit 2 like any setting.
  databaseUrl: z
    .string()
    .refine((value) => value === "" || (URL.canParse(value) && ["postgres:", "postgresql:"].includes(new URL(value).protocol)))
    .optional(),
  /** PostgreSQL connections each process keeps at most. */
  dbPoolSize: z.coerce.number().int().min(1).max(1000).default(10),
  /** A PostgreSQL connection or query unanswered this long (ms) fails with 503, so a frozen or cut-off server never hangs a request. */
  dbTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Loopback by default: exposing an instance is a decision, not an accident. */
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** A port of its own for /metrics, /health and /ready (src/http/operability/management-app.ts); unset keeps them on the main port. */
  managementPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** Where the management port listens: loopback unless the scraper or the probes come from elsewhere. */
  managementHost: z.string().min(1).default("127.0.0.1"),
  /** The URL clients use; the issuer and every URL the server prints come from it, never from Host. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The public URL this start moves the instance to, when it differs from the one the database
   * records (src/public-url-check.ts); it must be the public URL itself, so one left set cannot
   * move the instance anywhere else.
   */
  movePublicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Used once, when the admin user is first created. */
  // Its length is checked only when it is used, to create the first admin (src/instance.ts): once
  // that admin exists the variable is ignored, and a short one left in the environment must not stop a restart.
  adminPassword: z.string().optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Login sessions end after this many seconds without a request. */
  sessionLifespan: z.coerce.number().int().min(60).max(365 * 24 * 3600).default(8 * 3600),
  /**
   * Login sessions end this many seconds after sign-in however often they are used (OWASP's
   * absolute timeout; Keycloak's SSO Session Max, 10 h): a workday and some, so a cookie kept
   * alive by use, a stolen one too, does not live for ever.
   */
  sessionMaxLifespan: z.coerce.number().int().min(60).max(365 * 24 * 3600).default(12 * 3600),
  /** Authorization codes live at most 60 s (RFC 6749 §4.1.2 recommends 10 minutes at most). */
  authorizationCodeLifespan: z.coerce.number().int().min(1).max(60).default(60),
  /** One line per request at info level; off saves a little per request on a busy token endpoint. */
  requestLog: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(true),
  /** Processes serving the same port and store (node:cluster); one per core uses every core. */
  workers: z.coerce.number().int().min(1).max(64).default(1),
  /** Seconds between sweeps of expired tokens and codes (they go in small batches, so requests are not stalled). */
  tokenCleanupInterval: z.coerce.number().int().min(1).default(15 * 60),
  /** Expired tokens and codes removed per second at most: the sweep's writes go through the same WAL or server as the token endpoint's. */
  tokenCleanupRate: z.coerce.number().int().min(100).default(20_000),
  /** The OAuth endpoints take small forms; anything larger is a mistake or an attack. */
  bodyLimit: z.coerce.number().int().min(1024).default(64 * 1024),
  /** The largest attachment accepted, in bytes; a larger upload is refused with 413 and nothing stored. */
  attachmentMaxBytes: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Token requests per client per minute, counted in the database so the limit holds across nodes; 0 turns it off. */
  rateLimitTokenPerClient: z.coerce.number().int().min(0).default(1200),
  /** Token, revocation and introspection requests per source address per minute, one allowance for the three; 0 turns it off. */
  rateLimitTokenPerIp: z.coerce.number().int().min(0).default(3000),
  /** Login attempts (the login form and the password grant) per source address per minute; 0 turns it off. */
  rateLimitLoginPerIp: z.coerce.number().int().min(0).default(30),
  /** Wrong passwords in a row before an account locks, and for how long. */
  lockoutAttempts: z.coerce.number().int().min(1).default(5),
  lockoutMinutes: z.coerce.number().int().min(1).default(15),
  /** On SIGTERM, how long /ready answers 503 while requests are still served, before the listener closes. */
  shutdownDrainMs: z.coerce.number().int().min(0).max(120_000).default(1000),
  /** Prometheus metrics at /metrics; default on for loopback binds, off otherwise. */
  metrics: z.union([z.boolean(), z.enum(["on", "off", "true", "false"]).transform((v) => v === "on" || v === "true")]).optional(),
  /** Serve TLS: with the operator's certificate if given, else a development CA's under dataDir/tls. */
  https: flag.default(false),
  /** PEM files of the operator's certificate (chain) and private key; either both or neither. */
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  /** Extra names the development certificate covers, besides localhost, 127.0.0.1 and ::1. */
  hostnames: list
    .pipe(z.array(z.string().refine((name) => isIP(name) !== 0 || hostnamePattern.test(name), { message: "must be a DNS name or an IP address, without scheme or port" })))
    .default([]),
  /**
   * Whether X-Forwarded-* headers are believed: false (default), true (any proxy), or the
   * addresses/CIDRs of the proxies. Only the operator knows a proxy is in front.
   */
  trustProxy: z.union([z.boolean(), z.stringbool(), list.pipe(z.array(z.string().refine(isProxyAddress)).min(1))]).default(false),
  /** Lets a non-loopback bind serve plain HTTP; refused without it (see tls/bind-policy.ts). */
  allowInsecureBind: flag.default(false),
  /** Users may call the REST APIs with HTTP Basic (name and password), as on the platform; off leaves bearer tokens only. */
  apiBasicAuth: flag.default(true),
  /**
   * 32 random bytes (base64, base64url or 64 hex digits) that encrypt what this instance keeps
   * as an OAuth consumer: provider client secrets and tokens obtained from them. Without it a
   * key file is created under dataDir on first start; nodes sharing one PostgreSQL database
   * must all use the same key, so a PostgreSQL node needs this or a key file it was given.
   */
  secretKey: z.string().min(1).optional(),
  /** A PEM file of a private CA that outbound calls to providers trust beside the public roots. */
  trustCa: z.string().min(1).optional(),
  /** An obtained access token is refreshed this many seconds before it expires. */
  tokenRefreshSkew: z.coerce.number().int().min(0).max(3600).default(60),
  /** A Scripted REST script is stopped after this many milliseconds (its run and its data calls together). */
  scriptTimeoutMs: z.coerce.number().int().min(10).max(60_000).default(2000),
  /** The heap one script run may use, in MiB; the sandbox refuses allocations beyond it. */
  scriptMemoryMb: z.coerce.number().int().min(17).max(1024).default(32),
  /** The largest response body (and total log text) a script may produce, in KiB. */
  scriptOutputKb: z.coerce.number().int().min(1).max(64 * 1024).default(1024),
  /** Script failures show the script's error and stack to the caller; for an admin debugging, never in production. */
  scriptDebug: flag.default(false),
  /** Most records one Import Set API insertMultiple request may carry; more is refused with a 400. */
  importMaxRecords: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** The language of pages and messages when neither the user nor the browser chooses one. */
  locale: z.enum(locales).default(defaultLocale),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<Omit<z.output<typeof configSchema>, "metrics">> & { readonly publicUrl: string; readonly metrics: boolean };

export class ConfigError extends Error {
  /** `message` is the English; `text`, when given, lets the CLI say it in the reader's language. */
  constructor(message: string, readonly text?: LocalText) {
    super(message);
  }
}

/** A ConfigError whose English message and localisable text come from one catalog entry. */
export function localConfigError(text: LocalText): ConfigError {
  return new ConfigError(translator("en").t(text.key, text.values), text);
}

/** Environment variables an operator may set, and the setting each feeds. */
const environmentNames: Record<string, keyof ConfigInput> = {
  PORTCULLIS_DATA: "dataDir",
  DATABASE_URL: "databaseUrl",
  PORTCULLIS_HOST: "host",
  PORTCULLIS_PORT: "port",
  PORTCULLIS_PUBLIC_URL: "publicUrl",
  PORTCULLIS_MOVE_PUBLIC_URL: "movePublicUrl",
  PORTCULLIS_ADMIN_PASSWORD: "adminPassword",
  PORTCULLIS_LOG_LEVEL: "logLevel",
  PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "rateLimitTokenPerClient",
  PORTCULLIS_RATE_LIMIT_TOKEN_PER_IP: "rateLimitTokenPerIp",
  PORTCULLIS_RATE_LIMIT_LOGIN_PER_IP: "rateLimitLoginPerIp",
  PORTCULLIS_LOCKOUT_ATTEMPTS: "lockoutAttempts",
  PORTCULLIS_LOCKOUT_MINUTES: "lockoutMinutes",
  PORTCULLIS_SESSION_LIFESPAN: "sessionLifespan",
  PORTCULLIS_SESSION_MAX_LIFESPAN: "sessionMaxLifespan",
  PORTCULLIS_METRICS: "metrics",
  PORTCULLIS_MANAGEMENT_PORT: "managementPort",
  PORTCULLIS_MANAGEMENT_HOST: "managementHost",
  PORTCULLIS_SHUTDOWN_DRAIN_MS: "shutdownDrainMs",
  PORTCULLIS_DB_POOL_SIZE: "dbPoolSize",
  PORTCULLIS_DB_TIMEOUT_MS: "dbTimeoutMs",
  PORTCULLIS_BODY_LIMIT: "bodyLimit",
  PORTCULLIS_ATTACHMENT_MAX_BYTES: "attachmentMaxBytes",
  PORTCULLIS_HTTPS: "https",
  PORTCULLIS_TLS_CERT: "tlsCert",
  PORTCULLIS_TLS_KEY: "tlsKey",
  PORTCULLIS_HOSTNAMES: "hostnames",
  PORTCULLIS_TRUST_PROXY: "trustProxy",
  PORTCULLIS_INSECURE_BIND: "allowInsecureBind",
  PORTCULLIS_API_BASIC_AUTH: "apiBasicAuth",
  PORTCULLIS_SECRET_KEY: "secretKey",
  PORTCULLIS_TRUST_CA: "trustCa",
  PORTCULLIS_TOKEN_REFRESH_SKEW: "tokenRefreshSkew",
  PORTCULLIS_REQUEST_LOG: "requestLog",
  PORTCULLIS_WORKERS: "workers",
  PORTCULLIS_TOKEN_CLEANUP_INTERVAL: "tokenCleanupInterval",
  PORTCULLIS_TOKEN_CLEANUP_RATE: "tokenCleanupRate",
  PORTCULLIS_LOCALE: "locale",
  PORTCULLIS_SCRIPT_TIMEOUT_MS: "scriptTimeoutMs",
  PORTCULLIS_SCRIPT_MEMORY_MB: "scriptMemoryMb",
  PORTCULLIS_SCRIPT_OUTPUT_KB: "scriptOutputKb",
  PORTCULLIS_SCRIPT_DEBUG: "scriptDebug",
  PORTCULLIS_IMPORT_MAX_RECORDS: "importMaxRecords",
};

/** Each setting's PORTCULLIS_* variable, to name it in an error. */
const variableOf: Record<string, string> = Object.fromEntries(Object.entries(environmentNames).map(([name, key]) => [key, name]));

export function configFromEnvironment(env: NodeJS.ProcessEnv): ConfigInput {
  const input: Record<string, string> = {};
  for (const [name, key] of Object.entries(environmentNames)) {
    const value = env[name];
    if (value !== undefined && value !== "") input[key] = value;
  }
  return input as ConfigInput;
}

/** Flags win over the environment, which wins over defaults. */
export function loadConfig(...layers: ConfigInput[]): Config {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw localConfigError(configIssueText(parsed.error.issues[0], variableOf, merged));
  }
  const value = parsed.data;
  if ((value.tlsCert === undefined) !== (value.tlsKey === undefined)) {
    throw new ConfigError("invalid configuration: --tls-cert and --tls-key (PORTCULLIS_TLS_CERT, PORTCULLIS_TLS_KEY) go together", { key: "config.tlsPair" });
  }
  if (value.managementPort !== undefined && value.managementPort !== 0 && value.managementPort === value.port) {
    throw new ConfigError(`invalid configuration: the management port (--management-port, PORTCULLIS_MANAGEMENT_PORT) must differ from the port, ${value.port}`, { key: "config.managementPortClash", values: { port: value.port } });
  }
  // The operator's certificate means TLS; asking for it separately would only add a way to get it wrong.
  const https = value.https || value.tlsCert !== undefined;
  const wildcard = value.host === "0.0.0.0" || value.host === "::";
  // The development certificate names localhost, so that is the name an https instance is reached by.
  const displayHost = wildcard || (https && isLoopbackHost(value.host)) ? "localhost" : value.host;
  const defaultUrl = `${https ? "https" : "http"}://${displayHost.includes(":") ? `[${displayHost}]` : displayHost}:${value.port}`;
  const publicUrl = (value.publicUrl ?? defaultUrl).replace(/\/+$/, "");
  if (https && publicUrl.startsWith("http:")) {
    throw new ConfigError(`invalid configuration: publicUrl: an instance serving TLS cannot be reached at ${publicUrl}; use an https:// public URL`, { key: "config.tlsNeedsHttps", values: { url: publicUrl } });
  }
  const movePublicUrl = value.movePublicUrl?.replace(/\/+$/, "");
  if (movePublicUrl !== undefined && movePublicUrl !== publicUrl) throw localConfigError({ key: "config.movePublicUrlElsewhere", values: { move: movePublicUrl, url: publicUrl } });
  return Object.freeze({
    ...value,
    https,
    dataDir: path.resolve(value.dataDir),
    tlsCert: value.tlsCert && path.resolve(value.tlsCert),
    tlsKey: value.tlsKey && path.resolve(value.tlsKey),
    // Metrics describe the instance's traffic: on by default only where just this machine can ask,
    // or on a management port, where the operator chose who can.
    metrics: value.metrics ?? (value.managementPort !== undefined || isLoopbackHost(value.host)),
    trustCa: value.trustCa && path.resolve(value.trustCa),
    publicUrl,
    movePublicUrl,
  });
}

/** Addresses only this machine can reach: binding them needs no TLS. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || /^::ffff:127\./.test(bare);
}
