import assert from "node:assert/strict";
import path from "node:path";
import { after, describe, test } from "node:test";
import { sql } from "kysely";
import { loadConfig } from "../../src/config.ts";
import { openInstance } from "../../src/instance.ts";
import { openPostgres, openSqlite, type Store } from "../../src/store/database.ts";
import { adminPassword } from "../support/instance.ts";
import { startNodeProcess } from "../support/node-process.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";

interface Target {
  name: string;
  dataDir: string;
  databaseUrl?: string;
  connect(): Store;
  cleanup(): Promise<void>;
}

/** Each start is on a port of its own; the instance's public URL stays the same (src/public-url-check.ts). */
const samePublicUrl = { PORTCULLIS_PUBLIC_URL: "http://portcullis.test" };

function targets(): Target[] {
  const dir = tempDir();
  const list: Target[] = [{ name: "SQLite", dataDir: dir, connect: () => openSqlite(path.join(dir, "portcullis.sqlite")), cleanup: async () => {} }];
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `portcullis_kill_${process.pid}`;
    const target = new URL(url);
    target.pathname = `/${name}`;
    list.push({
      name: "PostgreSQL",
      dataDir: tempDir(),
      databaseUrl: target.toString(),
      connect: () => openPostgres(target.toString()),
      cleanup: async () => {
        const admin = openPostgres(url);
        await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
        await admin.close();
      },
    });
  }
  return list;
}

async function prepare(target: Target): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!target.databaseUrl || !url) return;
  const admin = openPostgres(url);
  const name = new URL(target.databaseUrl).pathname.slice(1);
  await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
  await sql.raw(`create database ${name}`).execute(admin.db);
  await admin.close();
}

for (const target of targets()) {
  describe(`nothing lost on ${target.name}`, () => {
    after(() => target.cleanup());

    test("kill -9 during a burst of token requests: every token a client received still validates, and no half-written record exists", async () => {
      await prepare(target);
      const node = await startNodeProcess({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, env: { ...samePublicUrl, PORTCULLIS_RATE_LIMIT_TOKEN_PER_CLIENT: "0", PORTCULLIS_RATE_LIMIT_TOKEN_PER_IP: "0" } });
      const setup = await openInstance(loadConfig({ dataDir: target.dataDir, logLevel: "silent", adminPassword }), { store: target.connect() });
      const client = await registerClient(setup, { grant_types: ["client_credentials"] });
      await setup.store.close();

      const received: string[] = [];
      let killed = false;
      const worker = async () => {
        while (!killed) {
          try {
            const res = await postForm(`${node.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
            if (res.status === 200) received.push(res.body.access_token);
          } catch {
            return;
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);
      while (received.length < 200) await new Promise((r) => setTimeout(r, 10));
      node.child.kill("SIGKILL");
      killed = true;
      await node.exited;
      await Promise.all(workers);

      const restarted = await startNodeProcess({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, env: samePublicUrl });
      try {
        const failures: number[] = [];
        for (const token of received) {
          const who = await http(`${restarted.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
          if (who.status !== 200) failures.push(who.status);
        }
        assert.deepEqual(failures, [], `${failures.length} of ${received.length} received tokens were lost`);
        const store = target.connect();
        try {
          const orphans = await store.db
            .selectFrom("oauth_credential")
            .leftJoin("sys_audit", (join) => join.onRef("sys_audit.documentkey", "=", "oauth_credential.sys_id").on("sys_audit.fieldname", "=", "issued"))
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("sys_audit.sys_id", "is", null)
            .executeTakeFirstOrThrow();
          assert.equal(Number(orphans.n), 0, "every stored token has its audit row: each issue was all or nothing");
        } finally {
          await store.close();
        }
      } finally {
        restarted.child.kill("SIGTERM");
        await restarted.exited;
      }
    });

    test("SIGTERM drains: /ready turns 503, requests in flight finish, then the process exits 0", async () => {
      await prepare(target);
      const node = await startNodeProcess({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, env: { ...samePublicUrl, PORTCULLIS_RATE_LIMIT_LOGIN_PER_IP: "0", PORTCULLIS_SHUTDOWN_DRAIN_MS: "3000" } });
      const setup = await openInstance(loadConfig({ dataDir: target.dataDir, logLevel: "silent", adminPassword }), { store: target.connect() });
      const client = await registerClient(setup, { grant_types: ["password"] });
      await setup.store.close();
      // Password grants cost an argon2 hash each, so a burst of them is still running when the signal lands.
      let signalled = 0;
      const inFlight = Array.from({ length: 20 }, () =>
        postForm(`${node.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword }, { authorization: basic(client.clientId, client.secret) }).then((r) => ({ status: r.status as number | string, afterSignal: signalled > 0 }), (e: Error & { cause?: { code?: string } }) => ({ status: `${e.message} ${e.cause?.code} after ${signalled ? Date.now() - signalled : -1} ms`, afterSignal: true })),
      );
      // The first answer shows the server has taken the burst in; then the signal lands mid-burst.
      await Promise.race(inFlight);
      node.child.kill("SIGTERM");
      signalled = Date.now();
      // Polled, not read once after a fixed pause: on a loaded machine the signal may take longer than that to be handled; the drain lasts 3 s.
      let ready = (await http(`${node.base}/ready`)).status;
      while (ready !== 503 && Date.now() - signalled < 2500) {
        await new Promise((r) => setTimeout(r, 50));
        ready = (await http(`${node.base}/ready`)).status;
      }
      assert.equal(ready, 503, "draining: load balancers are told to stop sending");
      const results = await Promise.all(inFlight);
      assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
      assert.ok(results.some((r) => r.afterSignal), "some requests were still in flight when the signal landed");
      assert.equal(await node.exited, 0);
    });
  });
}
