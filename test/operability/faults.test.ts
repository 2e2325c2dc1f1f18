import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { loadConfig, type ConfigInput } from "../../src/config.ts";
import { openPostgres, StoreError } from "../../src/store/database.ts";
import { startServer } from "../../src/server.ts";
import { adminPassword, freePort, testSecretKey } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** A request that has not been answered in 10 s is a hang: fail with its own message instead of the test's timeout. */
function withDeadline<T>(request: Promise<T>): Promise<T> {
  return Promise.race([request, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 10 s: a hang")), 10_000).unref())]);
}

describe("faults: the database full, unwritable or gone", () => {
  test("a data directory that cannot be created: a clear error and a non-zero exit at start", async () => {
    const dir = tempDir();
    const blocker = path.join(dir, "not-a-directory");
    fs.writeFileSync(blocker, "x");
    const run = await runCli(["start", "--data", path.join(blocker, "data"), "--port", "0"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /the data directory \S+ cannot be made or used: \S+not-a-directory is a file, not a directory/);
  });

  test("a file that is not a SQLite database: a clear error and a non-zero exit at start", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "portcullis.sqlite"), "this is not a database, just text that is long enough to have a header".repeat(20));
    const run = await runCli(["start", "--data", dir, "--port", "0"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not a database|file is not a database/i);
  });

  test("SQLite disk full at run time: the token endpoint answers 503, then recovers", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const server = await startServer(loadConfig({ dataDir: tempDir(), port, adminPassword, logLevel: "info" }), { print: () => {}, logStream: { write: (line: string) => void lines.push(line) } });
    try {
      const client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
      const base = `http://127.0.0.1:${port}`;
      const send = () => postForm(`${base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      assert.equal((await send()).status, 200);
      const userClient = await registerClient(server.instance, { grant_types: ["password"] });
      const bearer = (await postForm(`${base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(userClient.clientId, userClient.secret) })).body.access_token;
      const pages = await sql<{ page_count: number }>`pragma page_count`.execute(server.instance.store.db);
      await sql.raw(`pragma max_page_count = ${pages.rows[0]!.page_count}`).execute(server.instance.store.db);
      let full = await send();
      for (let i = 0; i < 200 && full.status === 200; i++) full = await send();
      assert.equal(full.status, 503);
      assert.equal(full.body.error, "temporarily_unavailable");
      // The Table API's envelope says unavailable, not "Internal server error": a client may retry.
      const write = await http(`${base}/api/now/table/incident`, { method: "POST", headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ short_description: "while full" }) });
      assert.equal(write.status, 503);
      assert.equal(write.body.error.message, "Service unavailable");
      // …and what to do: the client is told to try again, as the OAuth endpoints tell it.
      assert.equal(write.body.error.detail, "the instance's database is unavailable; try again shortly");
      // An outage is logged as a warning naming its cause, without a stack, never as a failed request.
      const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; cause?: string; err?: unknown });
      const warnings = logged.filter((l) => l.msg === "database unavailable");
      assert.ok(warnings.length >= 2 && warnings.every((l) => l.level === 40 && /SQLITE_FULL/.test(l.cause ?? "") && l.err === undefined), JSON.stringify(warnings.slice(0, 2)));
      assert.deepEqual(logged.filter((l) => l.level >= 50), []);
      await sql.raw("pragma max_page_count = 1073741823").execute(server.instance.store.db);
      assert.equal((await send()).status, 200);
    } finally {
      await server.close();
    }
  });

  test("a client that hangs up mid-body is not a database outage: no 'database unavailable' warning, and the node serves on", async () => {
    const port = await freePort();
    const lines: string[] = [];
    const server = await startServer(loadConfig({ dataDir: tempDir(), port, adminPassword, logLevel: "info" }), { print: () => {}, logStream: { write: (line: string) => void lines.push(line) } });
    try {
      const socket = net.connect(port, "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write("POST /oauth_introspect HTTP/1.1\r\nHost: portcullis.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntoken=");
      await new Promise((r) => setTimeout(r, 200));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await http(`http://127.0.0.1:${port}/ready`)).status, 200);
      const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level >= 40);
      assert.deepEqual(warnings, []);
    } finally {
      await server.close();
    }
  });

  test("a PostgreSQL server that accepts connections and never answers: start fails with the reason instead of waiting for ever", async () => {
    // Nothing behind the proxy is ever reached: it needs no real server.
    const proxy = new TcpProxy("127.0.0.1", 9);
    const proxyPort = await proxy.start();
    proxy.freeze();
    try {
      const config = loadConfig({ dataDir: tempDir(), port: await freePort(), adminPassword, logLevel: "silent", databaseUrl: `postgres://nobody:pw@127.0.0.1:${proxyPort}/none`, secretKey: testSecretKey, dbTimeoutMs: 200 });
      await assert.rejects(withDeadline(startServer(config, { logger: false, print: () => {} })), (error: Error) => error instanceof StoreError && /cannot use the PostgreSQL database at .*: 127\.0\.0\.1:\d+ did not answer within PORTCULLIS_DB_TIMEOUT_MS/.test(error.message));
      // Tried once, not eight times (the retries are for SQLite's busy file): at the default 10 s, that was 85 s to fail.
      assert.ok(proxy.accepted <= 2, `${proxy.accepted} connection attempts`);
    } finally {
      await proxy.stop();
    }
  });

  const databaseUrl = process.env.DATABASE_URL;
  /** A fresh database reached through a proxy the test can cut or silence, and a server on it. */
  async function serverBehindProxy(settings: ConfigInput = {}, logLines?: string[]) {
    const target = new URL(databaseUrl!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const proxyPort = await proxy.start();
    const name = `portcullis_fault_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = openPostgres(databaseUrl!);
    await sql.raw(`create database ${name}`).execute(admin.db);
    const viaProxy = new URL(databaseUrl!);
    viaProxy.port = String(proxyPort);
    viaProxy.pathname = `/${name}`;
    const port = await freePort();
    const logging = logLines ? { logStream: { write: (line: string) => void logLines.push(line) } } : { logger: false as const };
    const server = await startServer(loadConfig({ dataDir: tempDir(), port, adminPassword, logLevel: logLines ? "info" : "silent", databaseUrl: viaProxy.toString(), secretKey: testSecretKey, ...settings }), { ...logging, print: () => {} });
    const client = await registerClient(server.instance, { grant_types: ["client_credentials"] });
    const base = `http://127.0.0.1:${port}`;
    return {
      admin,
      name,
      proxy,
      proxyPort,
      base,
      server,
      send: () => postForm(`${base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) }),
      async dispose() {
        // The proxy first: a server waiting on a silenced connection would otherwise never finish closing.
        await proxy.stop();
        await server.close();
        await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
        await admin.close();
      },
    };
  }

  async function untilOK(send: () => Promise<{ status: number }>): Promise<number> {
    let after = await send();
    for (let i = 0; i < 50 && after.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await send();
    }
    return after.status;
  }

  test("PostgreSQL gone under load: 503 (not 500, not a hang) while down, and reconnects by itself", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, async () => {
    const { proxy, proxyPort, base, send, dispose } = await serverBehindProxy();
    try {
      assert.equal((await send()).status, 200);
      await proxy.stop();
      const during = await Promise.all(Array.from({ length: 10 }, send));
      assert.deepEqual([...new Set(during.map((r) => r.status))], [503]);
      assert.equal((await http(`${base}/ready`)).status, 503);
      await proxy.start(proxyPort);
      assert.equal(await untilOK(send), 200);
      assert.equal((await http(`${base}/ready`)).status, 200);
    } finally {
      await dispose();
    }
  });

  test("PostgreSQL gone: housekeeping and the import job say so in one warning with its cause each time, as requests do, not with a stack", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, async () => {
    const lines: string[] = [];
    const { proxy, proxyPort, send, dispose } = await serverBehindProxy({ tokenCleanupInterval: 1 }, lines);
    try {
      await proxy.stop();
      // The import job polls every 2 s, housekeeping runs every second here.
      await new Promise((r) => setTimeout(r, 2500));
      const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; cause?: string; err?: unknown; reqId?: string });
      const jobs = logged.filter((l) => l.reqId === undefined && l.level >= 40);
      assert.ok(jobs.length >= 2, JSON.stringify(logged));
      assert.deepEqual(jobs.filter((l) => l.level !== 40 || l.msg !== "database unavailable" || l.err !== undefined || !/ECONNREFUSED|Connection terminated/.test(l.cause ?? "")), []);
      await proxy.start(proxyPort);
      assert.equal(await untilOK(send), 200);
    } finally {
      await dispose();
    }
  });

  test("PostgreSQL ending connections under load (a restart, a failover, pg_terminate_backend): the node answers 503, stays up, and serves again", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, async () => {
    const { admin, name, send, dispose } = await serverBehindProxy();
    try {
      let running = true;
      const statuses = new Set<number>();
      const load = Array.from({ length: 8 }, async () => {
        while (running) statuses.add((await send()).status);
      });
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`.execute(admin.db);
      }
      running = false;
      await Promise.all(load);
      assert.deepEqual([...statuses].filter((status) => status !== 200 && status !== 503), []);
      assert.equal(await untilOK(send), 200);
    } finally {
      await dispose();
    }
  });

  test("a node that starts while another holds the migration lock longer than PORTCULLIS_DB_TIMEOUT_MS waits for it, then serves", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, async () => {
    const name = `portcullis_lock_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = openPostgres(databaseUrl!);
    await sql.raw(`create database ${name}`).execute(admin.db);
    const url = new URL(databaseUrl!);
    url.pathname = `/${name}`;
    const other = openPostgres(url.toString());
    try {
      // Kysely's migrator takes this advisory lock (its LOCK_ID) for as long as a migration runs: an index on a large table may take minutes.
      const migrating = other.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(3853314791062309107)`.execute(trx);
        await new Promise((r) => setTimeout(r, 10_000));
      });
      await new Promise((r) => setTimeout(r, 300));
      const server = await startServer(loadConfig({ dataDir: tempDir(), port: await freePort(), adminPassword, logLevel: "silent", databaseUrl: url.toString(), secretKey: testSecretKey, dbTimeoutMs: 500 }), { logger: false, print: () => {} });
      await migrating;
      try {
        assert.equal((await http(`${server.url}/ready`)).status, 200);
      } finally {
        await server.close();
      }
    } finally {
      await other.close();
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await admin.close();
    }
  });

  test("PostgreSQL that stops answering (frozen, or cut off without a reset): 503 after PORTCULLIS_DB_TIMEOUT_MS, not a hang, and fresh connections once it answers", { skip: databaseUrl ? false : "needs a real PostgreSQL server (DATABASE_URL)" }, async () => {
    const { proxy, base, send, server, dispose } = await serverBehindProxy({ dbTimeoutMs: 1000 });
    try {
      const bearerClient = await registerClient(server.instance, { grant_types: ["password"] });
      const bearer = (await postForm(`${base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(bearerClient.clientId, bearerClient.secret) })).body.access_token;
      const whoami = () => http(`${base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${bearer}` } });
      assert.equal((await send()).status, 200);
      proxy.freeze();
      const started = Date.now();
      // More requests than the pool has connections: the silent ones, and the wait for one, are both bounded.
      const during = await Promise.all([...Array.from({ length: 12 }, () => withDeadline(send())), withDeadline(whoami())]);
      assert.deepEqual([...new Set(during.map((r) => r.status))], [503]);
      assert.equal(during[0]!.body.error, "temporarily_unavailable");
      assert.ok(Date.now() - started < 8000, `answered after ${Date.now() - started} ms`);
      // The connections that fell silent never answer again; the node must not keep handing them out.
      proxy.thaw();
      assert.equal(await untilOK(send), 200);
      assert.equal((await whoami()).status, 200);
      assert.equal((await http(`${base}/ready`)).status, 200);
    } finally {
      await dispose();
    }
  });
});
