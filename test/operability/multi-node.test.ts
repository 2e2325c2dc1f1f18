import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { loadConfig } from "../../src/config.ts";
import { type Instance, openInstance } from "../../src/instance.ts";
import { openPostgres, openSqlite, type Store } from "../../src/store/database.ts";
import { tryTakeLease } from "../../src/store/job-lease-store.ts";
import { countUsers } from "../../src/store/user-store.ts";
import { FormBrowser } from "../support/browser.ts";
import { adminPassword, freePort, testSecretKey } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { tempDir } from "../support/stores.ts";
import { awayFromMinuteEdge } from "../support/rate-window.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

/** Several nodes over one database: separate connections (and pools) to one SQLite file or one PostgreSQL database. */
interface Backend {
  name: string;
  dataDir: string;
  url: string | undefined;
  prepare?: () => Promise<void>;
  connect(): Store;
  dispose(): Promise<void>;
}

function backends(): Backend[] {
  const sqliteDir = tempDir();
  const list: Backend[] = [{ name: "one SQLite file", dataDir: sqliteDir, url: undefined, connect: () => openSqlite(path.join(sqliteDir, "portcullis.sqlite")), dispose: async () => {} }];
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `portcullis_nodes_${process.pid}`;
    const target = new URL(url);
    target.pathname = `/${name}`;
    list.push({
      name: "one PostgreSQL database",
      dataDir: tempDir(),
      url: target.toString(),
      prepare: async () => {
        const admin = openPostgres(url);
        await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
        await sql.raw(`create database ${name}`).execute(admin.db);
        await admin.close();
      },
      connect: () => openPostgres(target.toString()),
      dispose: async () => {
        const admin = openPostgres(url);
        await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
        await admin.close();
      },
    });
  }
  return list;
}

/** A node: a real `portcullis start` process of its own. */
interface Node {
  base: string;
  process: ChildProcess;
}

async function startNode(dataDir: string, databaseUrl: string | undefined, publicUrl: string): Promise<Node> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "silent", PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "5" };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  if (databaseUrl) env.PORTCULLIS_SECRET_KEY ??= testSecretKey;
  const child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", dataDir, "--port", String(port), "--public-url", publicUrl], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`node exited: ${stderr}`);
    const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (ok) return { base, process: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`node did not start: ${stderr}`);
}

for (const backend of backends()) {
  describe(`several nodes on ${backend.name} behave as one instance`, () => {
    const nodes: Node[] = [];
    let admin: Instance;
    before(async () => {
      await backend.prepare?.();
      // Behind one load balancer every node is told the one URL users see; its port is in the
      // session cookie's name, so a node left to its own port would not know another's session.
      const publicUrl = `http://127.0.0.1:${await freePort()}`;
      // Started together on an empty database: the migrations and the admin bootstrap must each happen once.
      const started = await Promise.allSettled([0, 1, 2].map(() => startNode(backend.dataDir, backend.url, publicUrl)));
      // Every node that did start is stopped in after(), even when another failed to.
      for (const result of started) if (result.status === "fulfilled") nodes.push(result.value);
      const failed = started.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      admin = await openInstance(loadConfig({ dataDir: backend.dataDir, logLevel: "silent" }), { store: backend.connect() });
    });
    after(async () => {
      for (const node of nodes) node.process.kill("SIGTERM");
      await Promise.all(nodes.map((n) => new Promise((r) => (n.process.exitCode !== null ? r(null) : n.process.once("exit", r)))));
      await admin?.store.close();
      await backend.dispose();
    });

    test("nodes started at the same time migrate once and create one admin", async () => {
      assert.equal(await countUsers(admin.store.db), 1);
    });

    test("a token issued on one node works on another, and a revocation on one is refused on the other at once", async () => {
      const [a, b] = nodes;
      const client = await registerClient(admin, { grant_types: ["client_credentials"] });
      const issued = await postForm(`${a!.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
      const onB = await http(`${b!.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal(onB.status, 200);
      await postForm(`${a!.base}/oauth_revoke_token.do`, { token: issued.body.access_token }, { authorization: basic(client.clientId, client.secret) });
      const revoked = await http(`${b!.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal(revoked.status, 401);
    });

    test("log in on one node, consent on another, redeem on a third", async () => {
      const [a, b, c] = nodes;
      const client = await registerClient(admin, { redirect_url: "https://c.example/cb" });
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser(a!.base);
      const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://c.example/cb", code_challenge: challenge, code_challenge_method: "S256" })}`);
      const afterLogin = await browser.submit(login, { user_name: "admin", user_password: adminPassword });
      browser.base = b!.base;
      const consent = await browser.get(afterLogin.location!);
      assert.equal(consent.status, 200);
      const code = new URL((await browser.submit(consent, { action: "allow" })).location!).searchParams.get("code")!;
      const tokens = await postForm(`${c!.base}/oauth_token.do`, { grant_type: "authorization_code", code, redirect_uri: "https://c.example/cb", code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) });
      assert.equal(tokens.status, 200);
    });

    test("one code redeemed on every node at once: exactly one success", async () => {
      const client = await registerClient(admin, { redirect_url: "https://c.example/cb" });
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser(nodes[0]!.base);
      const login = await browser.get(`/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://c.example/cb", code_challenge: challenge, code_challenge_method: "S256" })}`);
      const consent = await browser.get((await browser.submit(login, { user_name: "admin", user_password: adminPassword })).location!);
      const code = new URL((await browser.submit(consent, { action: "allow" })).location!).searchParams.get("code")!;
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => postForm(`${nodes[i % 3]!.base}/oauth_token.do`, { grant_type: "authorization_code", code, redirect_uri: "https://c.example/cb", code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) })));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
    });

    test("the per-client rate limit holds across nodes", async () => {
      await awayFromMinuteEdge();
      const client = await registerClient(admin, { grant_types: ["client_credentials"] });
      const results = await Promise.all(Array.from({ length: 9 }, (_, i) => postForm(`${nodes[i % 3]!.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) })));
      assert.equal(results.filter((r) => r.status === 200).length, 5);
      assert.equal(results.filter((r) => r.status === 429).length, 4);
    });

    test("a job lease is taken by one holder at a time", async () => {
      const stores = [backend.connect(), backend.connect(), backend.connect()];
      try {
        const taken = await Promise.all(stores.map((s, i) => tryTakeLease(s.db, "test-job", `holder-${i}`, 60_000)));
        assert.equal(taken.filter(Boolean).length, 1);
        assert.equal(await tryTakeLease(stores[0]!.db, "test-job", "someone-else", 60_000, Date.now() + 61_000), true, "an expired lease can be taken over");
      } finally {
        for (const s of stores) await s.close();
      }
    });
  });
}
