import path from "node:path";
import { z } from "zod";

/**
 * Every setting an instance reads, with its default and why. CLI flags and
 * PORTCULLIS_* variables are merged into this once at start; nothing else reads
 * process.env.
 */
const configSchema = z.object({
  /** Where the SQLite file and other instance state live. */
  dataDir: z.string().min(1).default("./data"),
  /** postgres://… switches storage to PostgreSQL; empty means the embedded SQLite file. */
  databaseUrl: z.string().optional(),
  /** Loopback by default: exposing an instance is a decision, not an accident. */
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The URL clients use; the issuer and every URL the server prints come from it, never from Host. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Used once, when the admin user is first created. */
  adminPassword: z.string().min(8, "PORTCULLIS_ADMIN_PASSWORD must be at least 8 characters").optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Login sessions end after this many seconds without a request. */
  sessionLifespan: z.coerce.number().int().min(60).default(8 * 3600),
  /** Authorization codes live at most 60 s (RFC 6749 §4.1.2 recommends 10 minutes at most). */
  authorizationCodeLifespan: z.coerce.number().int().min(1).max(60).default(60),
  /** One line per request at info level; off saves a little per request on a busy token endpoint. */
  requestLog: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).default(true),
  /** Processes serving the same port and store (node:cluster); one per core uses every core. */
  workers: z.coerce.number().int().min(1).max(64).default(1),
  /** Seconds between sweeps of expired tokens and codes (they go in small batches, so requests are not stalled). */
  tokenCleanupInterval: z.coerce.number().int().min(1).default(15 * 60),
  /** The OAuth endpoints take small forms; anything larger is a mistake or an attack. */
  bodyLimit: z.coerce.number().int().min(1024).default(64 * 1024),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>> & { readonly publicUrl: string };

export class ConfigError extends Error {}

/** Environment variables an operator may set, and the setting each feeds. */
const environmentNames: Record<string, keyof ConfigInput> = {
  PORTCULLIS_DATA: "dataDir",
  DATABASE_URL: "databaseUrl",
  PORTCULLIS_HOST: "host",
  PORTCULLIS_PORT: "port",
  PORTCULLIS_PUBLIC_URL: "publicUrl",
  PORTCULLIS_ADMIN_PASSWORD: "adminPassword",
  PORTCULLIS_LOG_LEVEL: "logLevel",
  PORTCULLIS_REQUEST_LOG: "requestLog",
  PORTCULLIS_WORKERS: "workers",
  PORTCULLIS_TOKEN_CLEANUP_INTERVAL: "tokenCleanupInterval",
};

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
    const first = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${first?.path.join(".") || "value"}: ${first?.message}`);
  }
  const value = parsed.data;
  const displayHost = value.host === "0.0.0.0" || value.host === "::" ? "localhost" : value.host;
  const publicUrl = (value.publicUrl ?? `http://${displayHost.includes(":") ? `[${displayHost}]` : displayHost}:${value.port}`).replace(/\/+$/, "");
  return Object.freeze({ ...value, dataDir: path.resolve(value.dataDir), publicUrl });
}
