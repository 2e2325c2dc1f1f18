import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { fromDialect, openPostgres, openSqlite, type Store } from "../../src/store/database.ts";
import { pgliteDialect } from "./pglite-dialect.ts";
import { after, before } from "node:test";
import { migrateToLatest } from "../../src/store/migrate.ts";

export interface TestStore {
  store: Store;
  /** Drops what the test created: the temporary file or database. */
  dispose(): Promise<void>;
}

export interface DialectUnderTest {
  name: string;
  open(): Promise<TestStore>;
}

export function tempDir(prefix = "portcullis-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const sqlite: DialectUnderTest = {
  name: "sqlite",
  async open() {
    const dir = tempDir();
    const store = openSqlite(path.join(dir, "portcullis.sqlite"));
    return { store, dispose: async () => { await store.close().catch(() => {}); fs.rmSync(dir, { recursive: true, force: true }); } };
  },
};

/** A real PostgreSQL server when DATABASE_URL is set (CI); each test file gets a fresh database on it. */
const postgresServer = (adminUrl: string): DialectUnderTest => ({
  name: "postgres",
  async open() {
    const name = `portcullis_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const store = openPostgres(url.toString());
    return {
      store,
      dispose: async () => {
        await store.close().catch(() => {});
        const cleanup = new pg.Client({ connectionString: adminUrl });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      },
    };
  },
});

/** Embedded PostgreSQL (PGlite) elsewhere: the real PostgreSQL engine, compiled to WASM. */
const pglite: DialectUnderTest = {
  name: "postgres (PGlite)",
  async open() {
    const db = await PGlite.create();
    const store = fromDialect(pgliteDialect(db), "postgres", "pglite:memory");
    return { store, dispose: async () => { await store.close().catch(() => {}); await db.close(); } };
  },
};

/** Every storage backend the shared suites run against. */
export function dialectsUnderTest(): DialectUnderTest[] {
  const url = process.env.DATABASE_URL;
  return [sqlite, url ? postgresServer(url) : pglite];
}

/** A migrated store of `dialect` for one describe block: call in the block, read `.store` inside tests. */
export function migratedStore(dialect: DialectUnderTest): { readonly store: Store } {
  const holder: { store?: Store; dispose?: () => Promise<void> } = {};
  before(async () => {
    const opened = await dialect.open();
    holder.store = opened.store;
    holder.dispose = opened.dispose;
    await migrateToLatest(opened.store);
  });
  after(() => holder.dispose?.());
  return { get store() { return holder.store!; } };
}
