import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBackgroundJobs } from "../../src/background-jobs.ts";
import { tryTakeLease } from "../../src/store/job-lease-store.ts";
import { deleteExpiredTokens, issueTokens } from "../../src/store/token-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const twoDays = 2 * 86_400_000;

for (const dialect of dialectsUnderTest()) {
  describe(`housekeeping runs on one node at a time however long its sweep on ${dialect.name}`, () => {
    let server: TestInstance;
    // A 2 s interval gives a 1 s lease. SQLite sizes its batches (100, 200, 400…) and PostgreSQL
    // deletes 1 000 at a time, each followed by a rest that keeps to the rate: either way the
    // backlog below takes about 3 s, three times the lease.
    const sqlite = dialect.name === "sqlite";
    const backlog = sqlite ? 700 : 2500;
    before(async () => {
      server = await startTestInstance(dialect);
    });
    /** This node's housekeeping with a 2 s interval, run by hand: its timer is stopped, so only the test's runs sweep. */
    const housekeeping = () => {
      const config = { ...server.instance.config, tokenCleanupInterval: 2, tokenCleanupRate: sqlite ? 100 : 1000 };
      const jobs = startBackgroundJobs({ ...server.instance, config }, (error) => assert.fail(String(error)));
      jobs.stop();
      return jobs;
    };
    after(() => server.close());

    const expiredTokens = async (count: number) => {
      const { sysId } = await registerClient(server.instance, { name: `Sweep ${count} ${Math.random()}`, grant_types: "client_credentials" });
      const client = (await findClientBySysId(server.instance.store.db, sysId))!;
      await server.instance.store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < count; i++) await issueTokens(trx, { client, userSysId: null, scope: "useraccount", grantType: "client_credentials", withRefreshToken: false }, "test");
      });
      await server.instance.store.db.updateTable("oauth_credential").set({ expires_at: Date.now() - twoDays }).where("client", "=", sysId).execute();
    };
    const left = async () => (await server.instance.store.db.selectFrom("oauth_credential").select("sys_id").where("expires_at", "<", Date.now() - 86_400_000).execute()).length;

    test("a sweep that outlasts its lease renews it, so another node cannot take it and sweep beside it", async () => {
      await expiredTokens(backlog);
      const sweep = housekeeping().runOnce();
      await new Promise((resolve) => setTimeout(resolve, 1600));
      assert.ok((await left()) > 0, "still sweeping past the lease's first second");
      assert.equal(await tryTakeLease(server.instance.store.db, "housekeeping", "another-node", 1000), false, "the lease is still this node's");
      assert.equal(await sweep, true);
      assert.equal(await left(), 0);
    });

    test("a sweep whose lease went to another node stops after the batch in hand", async () => {
      await expiredTokens(50);
      const deleted = await deleteExpiredTokens(server.instance.store.db, Date.now(), 86_400_000, { batchSize: 10, pause: async () => {}, stillHeld: async () => false });
      assert.equal(deleted, 10);
      assert.equal(await left(), 40);
    });
  });
}
