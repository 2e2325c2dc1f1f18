import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { benchAdminPassword, benchRedirectUri, type Credentials, type PortcullisSetup, seedAuthCodes, seedRefreshTokens, type StoreModules } from "./portcullis.ts";

const run = promisify(execFile);

/**
 * What `bench:compare` gives each side's processes: SQLite in the side's own data directory, never
 * a DATABASE_URL from the caller's shell, and the first admin's password.
 */
export const builtSideEnv = { DATABASE_URL: "", PORTCULLIS_ADMIN_PASSWORD: benchAdminPassword };

/** Runs a build's CLI (bin/portcullis.js, which runs its dist/) and returns what it printed. */
async function cli(checkout: string, argv: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [path.join(checkout, "bin/portcullis.js"), ...argv], { env: { ...process.env, ...builtSideEnv } });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`portcullis ${argv.slice(0, 2).join(" ")} (${checkout}) failed: ${stderr || (error as Error).message}`);
  }
}

/** A client registered with `client create --json`, as the Application Registry prints it. */
async function createClient(checkout: string, dataDir: string, settings: string[]): Promise<Credentials> {
  const record = JSON.parse(await cli(checkout, ["client", "create", "--data", dataDir, "--json", ...settings])) as { sys_id: string; client_id: string; client_secret: string };
  return { clientId: record.client_id, secret: record.client_secret, sysId: record.sys_id };
}

/**
 * The store modules of a build, loaded when a scenario first seeds one-time values: a version
 * whose store differs is then named, while the scenarios that need only the CLI still run.
 */
function builtModules(checkout: string): () => Promise<StoreModules> {
  let loaded: Promise<StoreModules> | undefined;
  const load = async (): Promise<StoreModules> => {
    const dist = (file: string) => import(pathToFileURL(path.join(checkout, "dist/store", file)).href) as Promise<Record<string, unknown>>;
    const [database, entities, tokens, codes] = await Promise.all([dist("database.js"), dist("oauth-entity-store.js"), dist("token-store.js"), dist("auth-code-store.js")]);
    const modules = { openStore: database.openStore, findClientBySysId: entities.findClientBySysId, issueTokens: tokens.issueTokens, createAuthCode: codes.createAuthCode };
    const missing = Object.entries(modules).filter(([, f]) => typeof f !== "function");
    if (missing.length > 0) throw new Error(`${checkout}/dist/store has no ${missing.map(([name]) => name).join(", ")}: this version cannot be seeded with refresh tokens or codes by this bench`);
    return modules as StoreModules;
  };
  return () => (loaded ??= load());
}

/**
 * A fresh SQLite instance made by the build in `checkout` itself: its own CLI migrates it, creates
 * the admin and registers the two clients, and its own store modules seed refresh tokens and
 * codes. So a side older than this checkout's newest migration gets a database it can open, and
 * both sides get the same clients from the same commands.
 */
export async function prepareBuiltPortcullis(checkout: string, name: string): Promise<PortcullisSetup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `portcullis-bench-${name}-`));
  try {
    // The same settings preparePortcullis gives its clients.
    const service = await createClient(checkout, dataDir, ["--name", "bench service", "--grant-types", "client_credentials"]);
    const userClient = await createClient(checkout, dataDir, [
      "--name",
      "bench user",
      "--grant-types",
      "client_credentials,refresh_token,authorization_code",
      "--client-credentials-user",
      "admin",
      "--redirect-url",
      benchRedirectUri,
      "--access-token-lifespan",
      "86400",
    ]);
    const users = JSON.parse(await cli(checkout, ["user", "list", "--data", dataDir, "--json"])) as { sys_id: string; user_name: string }[];
    const admin = users.find((u) => u.user_name === "admin");
    if (!admin) throw new Error(`portcullis user list (${checkout}) shows no admin`);
    const modules = builtModules(checkout);
    const setup: PortcullisSetup = {
      dataDir,
      databaseUrl: "",
      service,
      userClient,
      adminSysId: admin.sys_id,
      seedRefreshTokens: async (count) => seedRefreshTokens(await modules(), setup, count),
      seedAuthCodes: async (count) => seedAuthCodes(await modules(), setup, count),
      dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
    return setup;
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
