import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { StaleRecordError } from "../../src/domain/record-version.ts";
import { ValidationError } from "../../src/domain/validation.ts";
import { auditHistory } from "../../src/store/audit-store.ts";
import { consumeAuthCode, createAuthCode, findAuthCode } from "../../src/store/auth-code-store.ts";
import type { Store } from "../../src/store/database.ts";
import { migrateToLatest, NewerDatabaseError } from "../../src/store/migrate.ts";
import { sql } from "kysely";
import { findTableDef } from "../../src/store/dictionary-store.ts";
import { deleteRecord, getRecord, insertRecord, updateRecord } from "../../src/store/table-record-store.ts";
import { createClient, findClient, regenerateClientSecret, updateClient } from "../../src/store/oauth-entity-store.ts";
import { deleteExpiredTokens, findTokenByValue, issueTokens, markRefreshTokenRotated, revokeFamily } from "../../src/store/token-store.ts";
import { createUser, findUserByName, grantRole, recordLoginFailure, rolesOf } from "../../src/store/user-store.ts";
import { dialectsUnderTest, type TestStore } from "../support/stores.ts";

/** One suite, every backend: what the store promises must hold on SQLite and PostgreSQL alike. */
for (const dialect of dialectsUnderTest()) {
  describe(`store conformance on ${dialect.name}`, () => {
    let handle: TestStore;
    let store: Store;
    before(async () => {
      handle = await dialect.open();
      store = handle.store;
      await migrateToLatest(store);
    });
    after(() => handle.dispose());

    test("migrations are idempotent", async () => {
      await migrateToLatest(store);
      await Promise.all([migrateToLatest(store), migrateToLatest(store)]);
    });

    test("a database a newer version migrated is refused as that, at once, not as 'corrupted'", async () => {
      await sql`insert into portcullis_migration (name, timestamp) values ('999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(store.db);
      try {
        const started = Date.now();
        await assert.rejects(migrateToLatest(store), (error: unknown) => error instanceof NewerDatabaseError && /migrated by a newer Portcullis \(its migration 999-from-the-future is unknown to this version\)/.test(error.message) && !/corrupted/.test(error.message));
        assert.ok(Date.now() - started < 1000, "not retried as if the database were busy");
      } finally {
        await sql`delete from portcullis_migration where name = '999-from-the-future'`.execute(store.db);
      }
      await migrateToLatest(store);
    });

    test("users, roles and their join", async () => {
      const user = await createUser(store.db, { userName: "beth", passwordHash: null, roles: ["itil"] }, "test");
      await grantRole(store.db, user.sysId, "itil", "test");
      await grantRole(store.db, user.sysId, "admin", "test");
      assert.deepEqual(await rolesOf(store.db, user.sysId), ["admin", "itil"]);
      await assert.rejects(createUser(store.db, { userName: "beth", passwordHash: null }, "test"));
    });

    test("failed logins count atomically and lock at the limit", async () => {
      const user = await createUser(store.db, { userName: "locky", passwordHash: null }, "test");
      await Promise.all(Array.from({ length: 5 }, () => recordLoginFailure(store.db, user.sysId, 5, 60_000)));
      const after = await findUserByName(store.db, "locky");
      assert.equal(after?.failedAttempts, 5);
      assert.ok((after?.lockedUntil ?? 0) > Date.now());
    });

    test("a client round-trips every field, and its changes are audited field by field", async () => {
      const created = await createClient(store.db, parseClientCreate({ name: "Round Trip", redirect_url: "https://a.example/cb, https://b.example/cb", grant_types: "password,refresh_token", comments: "한국어 comment" }), "test");
      const found = await findClient(store.db, created.client.clientId);
      assert.deepEqual(found, created.client);
      assert.deepEqual(found?.redirectUrls, ["https://a.example/cb", "https://b.example/cb"]);
      const updated = await updateClient(store.db, "Round Trip", { access_token_lifespan: 900, comments: "changed" }, "auditor");
      assert.equal(updated.accessTokenLifespan, 900);
      assert.equal(updated.modCount, 1);
      const history = await auditHistory(store.db, "oauth_entity", created.client.sysId);
      // The creation records every field it set (creation-history.test.ts); the edit, the two it changed.
      const edited = history.filter((h) => h.reason !== "created").map((h) => h.fieldname).sort();
      assert.deepEqual(edited, ["access_token_lifespan", "comments"]);
      assert.ok(history.filter((h) => h.reason === "created").some((h) => h.fieldname === "grant_types" && h.newvalue === "password,refresh_token"));
      assert.equal(history.find((h) => h.fieldname === "access_token_lifespan" && h.reason !== "created")?.oldvalue, "1800");
      const regenerated = await regenerateClientSecret(store.db, created.client.clientId, "auditor");
      const all = JSON.stringify(await auditHistory(store.db, "oauth_entity", created.client.sysId));
      assert.ok(!all.includes(regenerated.clientSecret!), "the audit never holds a secret");
    });

    test("a client's true/false fields are audited as true and false, as the platform's sys_audit records them", async () => {
      const created = await createClient(store.db, parseClientCreate({ name: "Flag Audit", redirect_url: "https://a.example/cb" }), "test");
      await updateClient(store.db, "Flag Audit", { active: false, pkce_required: false }, "auditor");
      const history = await auditHistory(store.db, "oauth_entity", created.client.sysId);
      const change = (field: string) => history.filter((h) => h.fieldname === field && h.reason !== "created").map((h) => [h.oldvalue, h.newvalue]);
      assert.deepEqual(change("active"), [["true", "false"]]);
      assert.deepEqual(change("pkce_required"), [["true", "false"]]);
    });

    test("a duplicate client name is a validation error and nothing is written", async () => {
      await createClient(store.db, parseClientCreate({ name: "Twin" }), "test");
      await assert.rejects(createClient(store.db, parseClientCreate({ name: "Twin" }), "test"), ValidationError);
    });

    test("an invalid update leaves the record unchanged", async () => {
      const created = await createClient(store.db, parseClientCreate({ name: "Stable" }), "test");
      await assert.rejects(updateClient(store.db, "Stable", { redirect_url: ["http://not-loopback.example/cb"] }, "test"), ValidationError);
      assert.deepEqual(await findClient(store.db, "Stable"), created.client);
    });

    test("an edit against a version no longer current is refused and changes nothing; concurrent edits each count", async () => {
      const created = await createClient(store.db, parseClientCreate({ name: "Versioned" }), "test");
      assert.equal(created.client.modCount, 0);
      const first = await updateClient(store.db, "Versioned", { comments: "alice's" }, "alice", [0]);
      assert.equal(first.modCount, 1);
      const stale = await updateClient(store.db, "Versioned", { comments: "bob's" }, "bob", [0]).then(() => undefined, (error: unknown) => error);
      assert.ok(stale instanceof StaleRecordError, String(stale));
      assert.deepEqual(stale.current, { ...stale.current, modCount: 1, updatedBy: "alice" });
      assert.deepEqual(await findClient(store.db, "Versioned"), first);
      // Two edits of the same version at once: one applies, the other is told, on either backend.
      const raced = await Promise.allSettled([updateClient(store.db, "Versioned", { comments: "c" }, "carol", [1]), updateClient(store.db, "Versioned", { comments: "d" }, "dave", [1])]);
      assert.deepEqual(raced.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
      assert.ok((raced.find((r) => r.status === "rejected") as PromiseRejectedResult).reason instanceof StaleRecordError);
      // Unconditional edits at once all apply, one after another: none is lost from the count.
      await Promise.all(Array.from({ length: 5 }, (_, i) => updateClient(store.db, "Versioned", { comments: `edit ${i}` }, "script")));
      assert.equal((await findClient(store.db, "Versioned"))!.modCount, 7);
    });

    test("a record's delete or update with an If-Match no longer current is refused in its transaction", async () => {
      const incident = (await findTableDef(store.db, "incident"))!;
      const row = await insertRecord(store.db, incident, { short_description: "versioned" }, { actor: "alice", mayRead: () => true });
      const sysId = row.sys_id as string;
      await updateRecord(store.db, incident, sysId, { short_description: "edited" }, { actor: "alice", mayRead: () => true }, [0]);
      await assert.rejects(updateRecord(store.db, incident, sysId, { short_description: "lost" }, { actor: "bob", mayRead: () => true }, [0]), StaleRecordError);
      await assert.rejects(deleteRecord(store.db, incident, sysId, "bob", [0]), StaleRecordError);
      assert.equal((await getRecord(store.db, incident, sysId, ["short_description"]))?.short_description, "edited");
      assert.equal(await deleteRecord(store.db, incident, sysId, "bob", [1]), true);
    });

    test("1 000 concurrent client creations get 1 000 distinct ids", async () => {
      const created = await Promise.all(Array.from({ length: 1000 }, (_, i) => createClient(store.db, parseClientCreate({ name: `Concurrent ${i}` }), "test")));
      assert.equal(new Set(created.map((c) => c.client.clientId)).size, 1000);
    });

    test("an authorization code is consumed exactly once under concurrency", async () => {
      const { client } = await createClient(store.db, parseClientCreate({ name: "Codes", redirect_url: "https://c.example/cb" }), "test");
      const user = await findUserByName(store.db, "beth");
      const code = await createAuthCode(store.db, { clientSysId: client.sysId, userSysId: user!.sysId, redirectUri: "https://c.example/cb", scope: "useraccount", codeChallenge: null, lifespanSeconds: 60 });
      const row = await findAuthCode(store.db, code);
      const wins = await Promise.all(Array.from({ length: 10 }, () => consumeAuthCode(store.db, row!.sys_id)));
      assert.equal(wins.filter(Boolean).length, 1);
    });

    test("tokens: issue, rotate once, revoke a family, and clean up expired ones", async () => {
      const { client } = await createClient(store.db, parseClientCreate({ name: "Tokens", grant_types: "password,refresh_token" }), "test");
      const issued = await store.db.transaction().execute((trx) => issueTokens(trx, { client, userSysId: null, scope: "useraccount", grantType: "password", withRefreshToken: true }, "test"));
      const refresh = await findTokenByValue(store.db, issued.refreshToken!);
      assert.equal(refresh?.type, "refresh_token");
      const rotations = await Promise.all(Array.from({ length: 10 }, () => markRefreshTokenRotated(store.db, refresh!.sys_id)));
      assert.equal(rotations.filter(Boolean).length, 1);
      assert.equal(await revokeFamily(store.db, refresh!.family, "test", { key: "auditReason.revokedByAdmin" }), 2);
      await store.db.updateTable("oauth_credential").set({ expires_at: 1 }).where("family", "=", refresh!.family).execute();
      assert.ok((await deleteExpiredTokens(store.db)) >= 2);
      assert.equal(await findTokenByValue(store.db, issued.accessToken), undefined);
    });

    test("a transaction that fails writes nothing", async () => {
      const { client } = await createClient(store.db, parseClientCreate({ name: "Rollback", grant_types: "client_credentials" }), "test");
      let token = "";
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          token = (await issueTokens(trx, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test")).accessToken;
          throw new Error("boom");
        }),
      );
      assert.equal(await findTokenByValue(store.db, token), undefined);
    });
  });
}
