import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { openPostgres, openSqlite, type Store } from "../../src/store/database.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { type NodeProcess, startNodeProcess } from "../support/node-process.ts";
import { http, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

/** Two consumer nodes over one database: one SQLite file shared by two processes, or one PostgreSQL database (DATABASE_URL). */
interface SharedDatabase {
  name: string;
  dataDirs: [string, string];
  url: string | undefined;
  prepare(): Promise<void>;
  connect(): Store;
  dispose(): Promise<void>;
}

function sharedDatabases(): SharedDatabase[] {
  const dir = tempDir();
  const list: SharedDatabase[] = [{ name: "one SQLite file, two processes", dataDirs: [dir, dir], url: undefined, prepare: async () => {}, connect: () => openSqlite(path.join(dir, "portcullis.sqlite")), dispose: async () => {} }];
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `portcullis_refresh_${process.pid}`;
    const target = new URL(url);
    target.pathname = `/${name}`;
    const run = async (statement: string) => {
      const admin = openPostgres(url);
      await sql.raw(statement).execute(admin.db);
      await admin.close();
    };
    list.push({
      name: "one PostgreSQL database, two processes",
      dataDirs: [tempDir(), tempDir()],
      url: target.toString(),
      prepare: async () => {
        await run(`drop database if exists ${name} with (force)`);
        await run(`create database ${name}`);
      },
      connect: () => openPostgres(target.toString()),
      dispose: () => run(`drop database if exists ${name} with (force)`),
    });
  }
  return list;
}

const basicAdmin = `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`;

for (const shared of sharedDatabases()) {
  describe(`single-flight refresh across nodes (${shared.name})`, () => {
    let peer: TestInstance;
    const nodes: NodeProcess[] = [];
    let store: Store;
    before(async () => {
      peer = await startTestInstance(dialectsUnderTest()[0]!);
      await shared.prepare();
      // One after the other: the first migrates, the second finds the schema made. Behind one public URL, as nodes of one database are.
      for (const dataDir of shared.dataDirs) nodes.push(await startNodeProcess({ dataDir, databaseUrl: shared.url, env: { PORTCULLIS_PUBLIC_URL: "http://portcullis.test" } }));
      store = shared.connect();
    });
    after(async () => {
      for (const node of nodes) node.child.kill("SIGTERM");
      await Promise.all(nodes.map((n) => n.exited));
      await store?.close();
      await peer?.close();
      await shared.dispose();
    });

    const api = (base: string, authorization: string, method: string, path: string, body?: unknown) =>
      http(`${base}${path}`, { method, headers: { authorization, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

    async function atProvider(client: RegisteredClient) {
      const rows = await peer.instance.store.db.selectFrom("oauth_credential").select(["type", "rotated_at"]).where("client", "=", client.sysId).execute();
      return { access: rows.filter((r) => r.type === "access_token").length, refreshed: rows.filter((r) => r.rotated_at !== null).length };
    }

    test("50 concurrent calls through both nodes on an expiring token: the provider sees exactly one refresh", async () => {
      const [a, b] = nodes as [NodeProcess, NodeProcess];
      // An admin bearer token from node A, good on node B too (one database): no password hashing per call.
      const endpoint = await api(a.base, basicAdmin, "POST", "/api/portcullis/registry/endpoints", { name: "Load Script", grant_types: "password" });
      assert.equal(endpoint.status, 201, endpoint.text);
      const login = await postForm(`${a.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword, client_id: endpoint.body.result.client_id, client_secret: endpoint.body.result.client_secret });
      assert.equal(login.status, 200, login.text);
      const bearer = `Bearer ${login.body.access_token}`;

      const client = await registerClient(peer.instance, { grant_types: "password,refresh_token" });
      const created = await api(a.base, bearer, "POST", "/api/portcullis/registry/providers", { name: "Peer", client_id: client.clientId, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do`, default_grant: "password", credential_style: "body" });
      assert.equal(created.status, 201, created.text);
      const id = created.body.result.sys_id;
      const token = await api(b.base, bearer, "POST", `/api/portcullis/connections/${id}/token`, { grant_type: "password", username: "admin", password: adminPassword });
      assert.equal(token.status, 200, token.text);

      // Within the refresh skew (a token obtained an hour ago): the next call on either node must refresh first.
      await store.db.updateTable("oauth_obtained_token").set({ obtained_at: Date.now() - 3_600_000, expires_at: Date.now() + 1000 }).where("provider", "=", id).execute();
      const before = await atProvider(client);
      const calls = await Promise.all(Array.from({ length: 50 }, (_, i) => api(i % 2 === 0 ? a.base : b.base, bearer, "POST", `/api/portcullis/connections/${id}/call`, { method: "GET", path: "/api/now/v1/whoami" })));
      for (const call of calls) assert.equal(call.body.result?.status, 200, call.text);
      const afterCalls = await atProvider(client);
      assert.equal(afterCalls.refreshed - before.refreshed, 1, "one refresh token was spent at the provider");
      assert.equal(afterCalls.access - before.access, 1, "one new access token was issued");
      const stored = await store.db.selectFrom("oauth_obtained_token").select(["expires_at", "status"]).where("provider", "=", id).executeTakeFirstOrThrow();
      assert.equal(stored.status, "healthy");
      assert.ok(Number(stored.expires_at) > Date.now() + 60_000);
    });
  });
}
