import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { ConfigError, type ConfigInput, loadConfig } from "../../src/config.ts";
import { paths } from "../../src/http/paths.ts";
import { checkPublicUrl } from "../../src/public-url-check.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { openPostgres, openSqlite } from "../../src/store/database.ts";
import { adminPassword, freePort, testSecretKey } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

const serving = "https://auth.example.com";
const other = "https://other.example.com";

/** A node's config: its own port (and data directory on PostgreSQL), the database and public URL given. */
async function nodeConfig(settings: Partial<ConfigInput>) {
  return loadConfig({ dataDir: tempDir(), port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "silent", ...settings });
}

function refusedFor(recorded: string, url: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.text?.key, "start.publicUrl.other");
    // Both URLs, and both ways out: the URL every node serves, or the deliberate move.
    assert.match(error.message, new RegExp(`served at ${recorded}, and this start's public URL is ${url}`));
    assert.match(error.message, new RegExp(`--public-url ${recorded} \\(or PORTCULLIS_PUBLIC_URL\\)`));
    assert.match(error.message, new RegExp(`--move-public-url ${url} \\(or PORTCULLIS_MOVE_PUBLIC_URL\\)`));
    return true;
  };
}

async function issuer(server: RunningServer): Promise<string> {
  const port = (server.app.server.address() as { port: number }).port;
  const metadata = await http(`http://127.0.0.1:${port}${paths.metadata}`);
  return JSON.parse(metadata.text).issuer;
}

/** Two nodes over one database, each with a store of its own, as two machines would have. */
async function nodesJoining(settings: Partial<ConfigInput>): Promise<void> {
  const printed: string[] = [];
  const first = await startServer(await nodeConfig({ ...settings, publicUrl: serving }), { logger: false, print: () => {} });
  try {
    await assert.rejects(startServer(await nodeConfig({ ...settings, publicUrl: other }), { logger: false, print: () => {} }), refusedFor(serving, other));
    assert.equal(await issuer(first), serving, "the nodes serving go on under their issuer");
    // A node without any public URL would issue under http://127.0.0.1:PORT: refused the same way.
    const unset = await nodeConfig(settings);
    await assert.rejects(startServer(unset, { logger: false, print: () => {} }), refusedFor(serving, unset.publicUrl));
    const same = await startServer(await nodeConfig({ ...settings, publicUrl: `${serving}/` }), { logger: false, print: () => {} });
    assert.equal(await issuer(same), serving);
    await same.close();

    // Moved on purpose: that start serves, says what to do next, and the old URL is now the one refused.
    const moved = await startServer(await nodeConfig({ ...settings, publicUrl: other, movePublicUrl: other }), { logger: false, print: (line) => printed.push(line) });
    assert.equal(await issuer(moved), other);
    await moved.close();
    assert.ok(printed.some((line) => line.includes(`moved from ${serving} to ${other}`) && line.includes(`${other}/oauth_redirect.do`)), printed.join("\n"));
    await assert.rejects(startServer(await nodeConfig({ ...settings, publicUrl: serving }), { logger: false, print: () => {} }), refusedFor(other, serving));
  } finally {
    await first.close();
  }
}

describe("every node of one database serves one public URL", () => {
  test("SQLite: a start with another public URL serves under it and says so, naming the new redirect URL", async () => {
    const dataDir = tempDir();
    const first = await startServer(await nodeConfig({ dataDir, publicUrl: serving }), { logger: false, print: () => {} });
    await first.close();
    const printed: string[] = [];
    const moved = await startServer(await nodeConfig({ dataDir, publicUrl: other }), { logger: false, print: (line) => printed.push(line) });
    assert.equal(await issuer(moved), other);
    await moved.close();
    assert.ok(printed.some((line) => line.includes(`last served at ${serving} and now serves ${other}`) && line.includes(`${other}/oauth_redirect.do`)), printed.join("\n"));
    // Recorded: the next start at the same URL says nothing.
    const quiet: string[] = [];
    await (await startServer(await nodeConfig({ dataDir, publicUrl: other }), { logger: false, print: (line) => quiet.push(line) })).close();
    assert.ok(!quiet.some((line) => line.includes("last served at")), quiet.join("\n"));
  });

  // On a real server, as nodes meet; PGlite is one process's database, checked as startServer checks it.
  const postgres = dialectsUnderTest()[1]!;
  if (process.env.DATABASE_URL) {
    test("PostgreSQL: a node started with another public URL is refused, naming both URLs and how to move the instance", async () => {
      const name = `portcullis_url_${process.pid}`;
      const target = new URL(process.env.DATABASE_URL!);
      target.pathname = `/${name}`;
      const admin = openPostgres(process.env.DATABASE_URL!);
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
      await sql.raw(`create database ${name}`).execute(admin.db);
      try {
        await nodesJoining({ databaseUrl: target.toString(), secretKey: testSecretKey });
      } finally {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
        await admin.close();
      }
    });
  } else {
    test(`${postgres.name}: a node with another public URL is refused by the same check`, async () => {
      const { store, dispose } = await postgres.open();
      const first = await startServer(await nodeConfig({ publicUrl: serving, secretKey: testSecretKey }), { logger: false, print: () => {}, store });
      try {
        const otherNode = { ...first.instance, config: await nodeConfig({ publicUrl: other, secretKey: testSecretKey }) };
        await assert.rejects(checkPublicUrl(otherNode), refusedFor(serving, other));
        assert.equal(await checkPublicUrl({ ...first.instance }), undefined);
      } finally {
        await first.close();
        await dispose();
      }
    });
  }

  test("SQLite: a restart on another port without --public-url serves at the new default URL; a --move-public-url naming another URL is refused", async () => {
    const dataDir = tempDir();
    const before = await startServer(await nodeConfig({ dataDir }), { logger: false, print: () => {} });
    const old = before.url;
    await before.close();
    // Another port, no public URL given: the default URL changed with it.
    const config = await nodeConfig({ dataDir });
    const printed: string[] = [];
    const moved = await startServer(config, { logger: false, print: (line) => printed.push(line) });
    assert.equal(await issuer(moved), config.publicUrl);
    await moved.close();
    assert.ok(printed.some((line) => line.includes(`last served at ${old} and now serves ${config.publicUrl}`)), printed.join("\n"));
    assert.throws(() => loadConfig({ dataDir, publicUrl: serving, movePublicUrl: other }), (error: unknown) => error instanceof ConfigError && error.text?.key === "config.movePublicUrlElsewhere" && error.message.includes(`names ${other}, but this start's public URL is ${serving}`));
  });

  test("SQLite: a database served before the check records the URL it last started with, so its first start after the upgrade names the change", async () => {
    const dataDir = tempDir();
    const first = await startServer(await nodeConfig({ dataDir, publicUrl: serving }), { logger: false, print: () => {} });
    await first.close();
    // As a database migrated by the version before: no setting row, no migration 019.
    const store = openSqlite(path.join(dataDir, "portcullis.sqlite"));
    await sql`drop table instance_setting`.execute(store.db);
    await sql`delete from portcullis_migration where name = '019-instance-setting'`.execute(store.db);
    await store.close();
    const printed: string[] = [];
    await (await startServer(await nodeConfig({ dataDir, publicUrl: other }), { logger: false, print: (line) => printed.push(line) })).close();
    assert.ok(printed.some((line) => line.includes(`last served at ${serving} and now serves ${other}`)), printed.join("\n"));
  });
});
