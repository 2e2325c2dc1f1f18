import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { createClient } from "../../src/store/oauth-entity-store.ts";
import { deleteExpiredTokens, issueTokens } from "../../src/store/token-store.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`expired-token clean-up on ${dialect.name}`, () => {
    const opened = migratedStore(dialect);

    test("deletes in batches, pausing between them, and keeps live and recently expired tokens", async () => {
      const { client } = await createClient(opened.store.db, parseClientCreate({ name: "Sweep", grant_types: "client_credentials" }), "test");
      const now = Date.now();
      const issue = () => opened.store.db.transaction().execute((trx) => issueTokens(trx, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test", now));
      for (let i = 0; i < 23; i++) await issue();
      const expired = (await opened.store.db.selectFrom("oauth_credential").select("sys_id").execute()).map((r) => r.sys_id);
      await opened.store.db.updateTable("oauth_credential").set({ expires_at: now - 2 * 86400_000 }).execute();
      // Expired an hour ago: inside the grace period, so it stays (a reuse of it must still be recognised).
      const recent = await issue();
      await opened.store.db.updateTable("oauth_credential").set({ expires_at: now - 3600_000 }).where("sys_id", "not in", expired).execute();
      const live = await issue();

      let pauses = 0;
      const deleted = await deleteExpiredTokens(opened.store.db, now, 24 * 3600_000, { batchSize: 5, pause: async () => void pauses++ });
      assert.equal(deleted, 23);
      assert.equal(pauses, 4, "23 rows in batches of 5 is five statements with a pause between each");
      const left = await opened.store.db.selectFrom("oauth_credential").select("token_hash").execute();
      assert.equal(left.length, 2);
      assert.ok(recent.accessToken && live.accessToken);
      assert.equal(await deleteExpiredTokens(opened.store.db, now, 24 * 3600_000, { batchSize: 5 }), 0);
    });

    test("sizes its own batches and keeps under the rate it is given", async () => {
      const { client } = await createClient(opened.store.db, parseClientCreate({ name: "Sweep rate", grant_types: "client_credentials" }), "test");
      const now = Date.now();
      await opened.store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 1600; i++) await issueTokens(trx, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test", now);
      });
      await opened.store.db.updateTable("oauth_credential").set({ expires_at: now - 2 * 86400_000 }).where("client", "=", client.sysId).execute();
      const started = performance.now();
      // Each full batch (at most 1 000 rows) is followed by a pause that keeps the sweep under the rate; the last needs none.
      assert.equal(await deleteExpiredTokens(opened.store.db, now, 24 * 3600_000, { maxRowsPerSecond: 800 }), 1600);
      const took = performance.now() - started;
      assert.ok(took >= ((1600 - 1000) / 800) * 1000, `1 600 rows at 800 a second took ${Math.round(took)} ms`);
      assert.equal((await opened.store.db.selectFrom("oauth_credential").select("sys_id").where("client", "=", client.sysId).execute()).length, 0);
    });
  });
}
