import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { parseProviderCreate } from "../../src/domain/oauth-provider.ts";
import { ValidationError } from "../../src/domain/validation.ts";
import { createClient, updateClient } from "../../src/store/oauth-entity-store.ts";
import { createProvider } from "../../src/store/provider-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/**
 * Application Registry records whose name (or client ID) two admins, or two pipeline runs, give
 * at once. On PostgreSQL (CI's real server) both transactions can pass the "is it free" check and
 * the second meets the unique index; on SQLite and PGlite they run one after the other. Either
 * way the loser is told the name is taken, and one record is left.
 */
async function oneRefusedAsTaken(attempts: Promise<unknown>[], field: string): Promise<void> {
  const outcomes = await Promise.allSettled(attempts);
  const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  assert.equal(refused.length, 1, JSON.stringify(outcomes.map((outcome) => (outcome.status === "rejected" ? String(outcome.reason) : "ok"))));
  const reason = refused[0]!.reason;
  assert.ok(reason instanceof ValidationError, String(reason));
  assert.deepEqual(reason.issues.map((problem) => problem.field), [field]);
}

for (const dialect of dialectsUnderTest()) {
  describe(`two Application Registry records given one name at once on ${dialect.name}`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect);
    });
    after(() => server.close());
    const named = (name: string) => server.instance.store.db.selectFrom("oauth_entity").select("sys_id").where("name", "=", name).execute();

    test("two endpoints created with one name: one is, the other is told the name is taken", async () => {
      for (let round = 0; round < 5; round++) {
        const name = `Twin endpoint ${round}`;
        await oneRefusedAsTaken([0, 1].map(() => createClient(server.instance.store.db, { name }, "admin")), "name");
        assert.equal((await named(name)).length, 1);
      }
    });

    test("two endpoints renamed to one name: one is, the other is told the name is taken", async () => {
      for (let round = 0; round < 5; round++) {
        const name = `Renamed twin ${round}`;
        const records = await Promise.all([0, 1].map((n) => createClient(server.instance.store.db, { name: `${name} source ${n}` }, "admin")));
        await oneRefusedAsTaken(records.map((record) => updateClient(server.instance.store.db, record.client.sysId, { name }, "admin")), "name");
        assert.equal((await named(name)).length, 1);
      }
    });

    test("two provider connections created with one name: one is, the other is told the name is taken", async () => {
      const box = instanceSecretBox(server.instance);
      for (let round = 0; round < 5; round++) {
        const name = `Twin provider ${round}`;
        const settings = (n: number) => parseProviderCreate({ name, client_id: `twin-${round}-${n}`, client_secret: "s3cret-value", token_url: "http://127.0.0.1:9/oauth_token.do" });
        await oneRefusedAsTaken([0, 1].map((n) => createProvider(server.instance.store.db, box, settings(n), `${server.base}/oauth_redirect.do`, "admin")), "name");
        assert.equal((await named(name)).length, 1);
      }
    });
  });
}
