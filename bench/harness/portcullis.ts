import { randomBytes } from "node:crypto";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { loadConfig } from "../../src/config.ts";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { openInstance } from "../../src/instance.ts";
import { createAuthCode } from "../../src/store/auth-code-store.ts";
import { openStore, type Store } from "../../src/store/database.ts";
import { createClient, findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { findUserByName } from "../../src/store/user-store.ts";

export interface Credentials {
  clientId: string;
  secret: string;
  sysId: string;
}

/** What the scenarios need to know about one Portcullis under test. */
export interface PortcullisSetup {
  /** Where its data lives: `dataDir` for SQLite, or its own database on the DATABASE_URL server. */
  dataDir: string;
  databaseUrl: string;
  /** A client alone (client_credentials, introspection), as the peers are configured. */
  service: Credentials;
  /** A client acting as the admin user: the bearer GET, refresh rotation and code exchange. */
  userClient: Credentials;
  adminSysId: string;
  /** Issues `count` refresh tokens to the user client through the store, as grants would; returns their values. */
  seedRefreshTokens(count: number): Promise<string[]>;
  /** Stores `count` authorization codes as the consent step would (the login UI is not under test). */
  seedAuthCodes(count: number): Promise<string[]>;
  dispose(): Promise<void>;
}

/**
 * The store functions seeding calls: this checkout's source here, a build's own dist/ modules for
 * `bench:compare` (built-portcullis.ts), so the values are written as that version writes them.
 */
export interface StoreModules {
  openStore: typeof openStore;
  findClientBySysId: typeof findClientBySysId;
  issueTokens: typeof issueTokens;
  createAuthCode: typeof createAuthCode;
}

const sourceModules: StoreModules = { openStore, findClientBySysId, issueTokens, createAuthCode };

/** With PostgreSQL every node needs the same secret key (for the consumer side's stored secrets); the bench's processes share this one. */
export const benchSecretKey = randomBytes(32).toString("base64");

export const benchRedirectUri = "http://127.0.0.1/cb";
export const benchVerifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
const benchChallenge = createHash("sha256").update(benchVerifier).digest("base64url");
export const benchAdminPassword = "bench admin password";

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/**
 * A fresh instance (migrated, admin created, two clients), optionally with `storedTokens` tokens
 * already in it: live ones, or (`expired`) ones that expired two days ago, for the sweep to remove.
 */
export async function preparePortcullis(name: string, options: { postgresUrl?: string; storedTokens: number; expired?: boolean; log: (line: string) => void }): Promise<PortcullisSetup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `portcullis-bench-${name}-`));
  const dbName = `portcullis_bench_${name.replace(/\W/g, "_")}`;
  const databaseUrl = options.postgresUrl ? await createDatabase(options.postgresUrl, dbName) : "";
  // Seeding a million rows is one statement, longer than the 10 s a served request's query may take.
  const config = loadConfig({ dataDir, databaseUrl: databaseUrl || undefined, adminPassword: benchAdminPassword, logLevel: "silent", dbTimeoutMs: 600_000 });
  const instance = await openInstance(config);
  try {
    const db = instance.store.db;
    const admin = await findUserByName(db, "admin");
    const service = await createClient(db, parseClientCreate({ name: "bench service", grant_types: ["client_credentials"] }), "bench");
    const userClient = await createClient(
      db,
      parseClientCreate({ name: "bench user", grant_types: ["client_credentials", "refresh_token", "authorization_code"], client_credentials_user: "admin", redirect_url: [benchRedirectUri], access_token_lifespan: 86400 }),
      "bench",
    );
    if (options.storedTokens > 0) {
      const started = Date.now();
      await bulkStoreTokens(instance.store, options.storedTokens, service.client.sysId, options.expired ?? false);
      await settleSeed(instance.store);
      options.log(`  seeded ${options.storedTokens.toLocaleString("en")} stored tokens into ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const creds = (c: typeof service): Credentials => ({ clientId: c.client.clientId, secret: c.clientSecret!, sysId: c.client.sysId });
    const setup: PortcullisSetup = {
      dataDir,
      databaseUrl,
      service: creds(service),
      userClient: creds(userClient),
      adminSysId: admin!.sysId,
      seedRefreshTokens: (count) => seedRefreshTokens(sourceModules, setup, count),
      seedAuthCodes: (count) => seedAuthCodes(sourceModules, setup, count),
      dispose: async () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (options.postgresUrl) await dropDatabase(options.postgresUrl, dbName);
      },
    };
    return setup;
  } finally {
    await instance.store.close();
  }
}

/**
 * Fills oauth_credential with `count` live access tokens in one statement, shaped as if they had
 * been issued evenly over the last 30 days: time-ordered sys_ids and lookup keys (the sys_id and
 * 32 hex of hash, as src/domain/token-value.ts makes them) and time-ordered families.
 */
async function bulkStoreTokens(store: Store, count: number, clientSysId: string, expired: boolean): Promise<void> {
  const span = 30 * 86400_000;
  const first = Date.now() - span;
  const step = span / count;
  const stamp = new Date().toISOString().slice(0, 19).replace("T", " ");
  const expires = expired ? Date.now() - 2 * 86400_000 - count : Date.now() + 30 * 86400_000;
  const columns = sql`(sys_id, sys_created_on, sys_created_by, sys_updated_on, sys_updated_by, sys_mod_count, token_hash, type, client, "user", scope, family, code, expires_at, revoked_at, rotated_at)`;
  if (store.dialect === "sqlite") {
    await sql`with recursive seq(x) as (select 0 union all select x + 1 from seq where x < ${count - 1}),
      ids(x, id) as (select x, printf('%012x', ${first} + cast(x * ${step} as integer)) || lower(hex(randomblob(10))) from seq)
      insert into oauth_credential ${columns}
      select id, ${stamp}, 'bench', ${stamp}, 'bench', 0, id || lower(hex(randomblob(16))), 'access_token', ${clientSysId}, null, 'useraccount',
             printf('%012x', ${first} + cast(x * ${step} as integer)) || lower(hex(randomblob(10))), null, ${expires} + x, null, null
      from ids`.execute(store.db);
  } else {
    await sql`insert into oauth_credential ${columns}
      select id, ${stamp}, 'bench', ${stamp}, 'bench', 0, id || md5(random()::text), 'access_token', ${clientSysId}, null, 'useraccount',
             lpad(to_hex(${first}::bigint + floor(x * ${step}::float8)::bigint), 12, '0') || substr(md5(random()::text), 1, 20), null, ${expires}::bigint + x, null, null
      from (select x, lpad(to_hex(${first}::bigint + floor(x * ${step}::float8)::bigint), 12, '0') || substr(md5(random()::text), 1, 20) as id
            from generate_series(0, ${count - 1}) as x) as ids`.execute(store.db);
  }
}

function openSetupStore(modules: StoreModules, setup: PortcullisSetup): Store {
  return modules.openStore({ dataDir: setup.dataDir, databaseUrl: setup.databaseUrl || undefined });
}

/**
 * Puts what seeding wrote on disk before the run, so the server under test does not pay for
 * it: on SQLite the WAL folded into the database file (nor does it read through a swollen WAL);
 * on PostgreSQL the vacuum and analyze that autovacuum would otherwise start on the freshly
 * filled table mid-run, and a checkpoint (one sweep run had a slice at 0.4× with a p99 of 492 ms
 * a few seconds in, while the seed's gigabyte of WAL was still being checkpointed).
 */
async function settleSeed(store: Store): Promise<void> {
  if (store.dialect === "sqlite") return void (await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db));
  await sql`vacuum (analyze) oauth_credential`.execute(store.db);
  // CHECKPOINT needs a superuser (or pg_checkpoint); without one the run just starts sooner.
  await sql`checkpoint`.execute(store.db).catch(() => {});
}

export async function seedRefreshTokens(modules: StoreModules, setup: PortcullisSetup, count: number): Promise<string[]> {
  const store = openSetupStore(modules, setup);
  try {
    const client = (await modules.findClientBySysId(store.db, setup.userClient.sysId))!;
    const tokens = await store.db.transaction().execute(async (trx) => {
      const values: string[] = [];
      for (let i = 0; i < count; i++) {
        const issued = await modules.issueTokens(trx, { client, userSysId: setup.adminSysId, scope: "useraccount", grantType: "password", withRefreshToken: true }, "admin");
        values.push(issued.refreshToken!);
      }
      return values;
    });
    await settleSeed(store);
    return tokens;
  } finally {
    await store.close();
  }
}

export async function seedAuthCodes(modules: StoreModules, setup: PortcullisSetup, count: number): Promise<string[]> {
  const store = openSetupStore(modules, setup);
  try {
    const codes = await store.db.transaction().execute(async (trx) => {
      const values: string[] = [];
      for (let i = 0; i < count; i++) {
        // Longer-lived than the 60 s a real code gets, so codes seeded before a round stay valid through it.
        values.push(await modules.createAuthCode(trx, { clientSysId: setup.userClient.sysId, userSysId: setup.adminSysId, redirectUri: benchRedirectUri, scope: "useraccount", codeChallenge: benchChallenge, lifespanSeconds: 3600 }));
      }
      return values;
    });
    await settleSeed(store);
    return codes;
  } finally {
    await store.close();
  }
}

/** A client_credentials token from a server under test (the client authenticated with Basic). */
export async function fetchToken(base: string, client: Credentials): Promise<string> {
  const response = await fetch(`${base}/oauth_token.do`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}` },
    body: "grant_type=client_credentials",
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token from ${base}: ${JSON.stringify(body)}`);
  return body.access_token;
}
