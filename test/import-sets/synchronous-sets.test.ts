import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { definePersonImport } from "../support/import-sets.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/** The set a single-row load joined, as GET /api/now/import/{staging}/{set sys_id} reports it. */
async function setOf(server: TestInstance, token: string, number: string): Promise<{ sysId: string; state: string; rowCount: string }> {
  const found = await api(server, "GET", `/api/now/table/sys_import_set?${q({ sysparm_query: `number=${number}`, sysparm_fields: "sys_id" })}`, { token });
  assert.equal(found.body.result.length, 1, found.text);
  const sysId = found.body.result[0].sys_id as string;
  const read = await api(server, "GET", `/api/now/import/u_imp_person/${sysId}`, { token });
  assert.equal(read.status, 200, read.text);
  return { sysId, state: read.body.state, rowCount: read.body.row_count };
}

for (const dialect of dialectsUnderTest()) {
  describe(`Import Set API single-row sets on ${dialect.name}`, () => {
    let server: TestInstance;
    let hana: ApiUser;
    let ivo: ApiUser;
    // The instance's clock, which decides the day a set belongs to: set by each test, so none depends on when it runs.
    let clock = new Date("2026-03-10T12:00:00Z");
    const at = (instant: string) => {
      clock = new Date(instant);
    };
    before(async () => {
      server = await startTestInstance(dialect, {}, { now: () => clock });
      const admin = await apiUser(server, "admin");
      hana = await apiUser(server, "hana", ["hr"]);
      ivo = await apiUser(server, "ivo", ["hr"]);
      await definePersonImport(server, admin.token);
    });
    after(() => server.close());

    const importOne = async (user: ApiUser, email: string): Promise<string> => {
      const res = await api(server, "POST", "/api/now/import/u_imp_person", { token: user.token, body: { u_email: email, u_name: email } });
      assert.equal(res.status, 201, res.text);
      return res.body.import_set as string;
    };

    test("a loader's single rows gather in one set that stays loading; another loader gets a set of their own", async () => {
      at("2026-03-10T12:00:00Z");
      const first = await importOne(hana, "a1@example.com");
      assert.equal(await importOne(hana, "a2@example.com"), first);
      const gathered = await setOf(server, hana.token, first);
      assert.equal(gathered.state, "loading");
      assert.equal(gathered.rowCount, "2");
      const other = await importOne(ivo, "b1@example.com");
      assert.notEqual(other, first);
      assert.equal((await setOf(server, ivo.token, other)).state, "loading");
    });

    test("a set opened before midnight UTC is processed at the loader's next row, which opens a new set", async () => {
      at("2026-03-11T23:59:58Z");
      const old = await importOne(hana, "c1@example.com");
      at("2026-03-11T23:59:59Z");
      assert.equal(await importOne(hana, "c2@example.com"), old, "the last second of the day still joins it");
      at("2026-03-12T00:00:00Z");
      const next = await importOne(hana, "c3@example.com");
      assert.notEqual(next, old, "the new row does not join yesterday's set");
      assert.equal((await setOf(server, hana.token, old)).state, "processed");
      assert.equal((await setOf(server, hana.token, old)).rowCount, "2");
      assert.equal((await setOf(server, hana.token, next)).state, "loading");
    });

    test("housekeeping processes the sets opened before midnight UTC without waiting for another row", async () => {
      at("2026-03-12T20:00:00Z");
      const old = await importOne(ivo, "d1@example.com");
      at("2026-03-13T00:00:01Z");
      const today = await importOne(hana, "d2@example.com");
      assert.equal((await setOf(server, ivo.token, old)).state, "loading", "only the loader's next row or housekeeping closes it");
      assert.equal(await server.jobs.runOnce(), true);
      assert.equal((await setOf(server, ivo.token, old)).state, "processed");
      assert.equal((await setOf(server, hana.token, today)).state, "loading", "a set opened today stays open");
      assert.equal(await importOne(hana, "d3@example.com"), today);
    });
  });
}
