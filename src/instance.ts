import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { type Config, localConfigError } from "./config.ts";
import { hashPassword } from "./domain/passwords.ts";
import { minPasswordLength } from "./domain/user-account.ts";
import { openPostgres, openStore, sqliteFile, type Store } from "./store/database.ts";
import { assertDataDirectoryWritable } from "./store/data-directory.ts";
import { migrateToLatest } from "./store/migrate.ts";
import { adminRoleDescription, countUsers, createUser, ensureRole } from "./store/user-store.ts";

/** What every request handler and CLI command works with: the settings and the open store. */
export interface Instance {
  readonly config: Config;
  readonly store: Store;
  /** Set when the node is shutting down, so /ready tells load balancers to stop sending. */
  readonly lifecycle: { draining: boolean };
  /** The instant encoded-query date macros are evaluated at, the day single-row import sets gather in, and when an import set is opened and its rows and counters are updated; tests fix it. */
  readonly now: () => Date;
}

export interface OpenOptions {
  /** Told once, when the admin user is created with a generated password. */
  onAdminCreated?: (userName: string, generatedPassword: string | null) => void;
  /** An already-open store (tests hand in PGlite); by default the config says which to open. */
  store?: Store;
  /** A fixed clock for date macros and import sets (tests); the system clock by default. */
  now?: () => Date;
}

/** Opens the store, brings its schema up to date, and on first use creates the admin user. */
export async function openInstance(config: Config, options: OpenOptions = {}): Promise<Instance> {
  if (!options.store && !config.databaseUrl) assertDataDirectoryWritable(config.dataDir);
  // A new embedded instance that would refuse its admin's password is refused before its
  // directory and file exist, so fixing the password and starting again is a first start still.
  if (!options.store && !config.databaseUrl && !fs.existsSync(sqliteFile(config.dataDir))) checkAdminPassword(config);
  const store = options.store ?? openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, poolSize: config.dbPoolSize, timeoutMs: config.dbTimeoutMs });
  try {
    await migrate(store, config, options);
    await bootstrapAdmin(store, config, options);
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return { config, store, lifecycle: { draining: false }, now: options.now ?? (() => new Date()) };
}

/**
 * A migration may run longer than any request should (an index on a large table), and a node
 * that starts meanwhile waits for its advisory lock: on PostgreSQL they run on a connection of
 * their own whose queries PORTCULLIS_DB_TIMEOUT_MS does not cut short (connecting still is).
 */
async function migrate(store: Store, config: Config, options: OpenOptions): Promise<void> {
  // A store handed in (tests) is migrated as it is.
  if (options.store || store.dialect !== "postgres" || !config.databaseUrl) return migrateToLatest(store);
  const migrating = openPostgres(config.databaseUrl, { poolSize: 1, timeoutMs: config.dbTimeoutMs, queryTimeoutMs: 0 });
  try {
    await migrateToLatest(migrating);
  } finally {
    await migrating.close();
  }
}

/** Checked only when the first admin is made from it: a restart never depends on the variable still being set right. */
function checkAdminPassword(config: Config): void {
  if (config.adminPassword !== undefined && config.adminPassword.length < minPasswordLength) {
    throw localConfigError({ key: "config.invalid.atLeastCharacters", values: { field: "PORTCULLIS_ADMIN_PASSWORD", limit: minPasswordLength } });
  }
}

async function bootstrapAdmin(store: Store, config: Config, options: OpenOptions): Promise<void> {
  await ensureRole(store.db, "admin", adminRoleDescription, "system");
  if ((await countUsers(store.db)) > 0) return;
  checkAdminPassword(config);
  const generated = config.adminPassword ? null : randomBytes(18).toString("base64url");
  const password = config.adminPassword ?? generated!;
  try {
    await createUser(store.db, { userName: "admin", name: "System Administrator", passwordHash: await hashPassword(password), roles: ["admin"] }, "system");
  } catch (error) {
    // Another node or command created it first.
    if ((await countUsers(store.db)) > 0) return;
    throw error;
  }
  options.onAdminCreated?.("admin", generated);
}
