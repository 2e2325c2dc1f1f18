import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { glideDateTime } from "../../src/domain/sys-id.ts";
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
    before(async () => {
      server = await startTestInstance(dialect);
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
    const openedYesterday = (sysId: string) =>
      server.instance.store.db
        .updateTable("sys_import_set")
        .set({ sys_created_on: glideDateTime(Date.now() - 24 * 3600 * 1000) })
        .where("sys_id", "=", sysId)
        .execute();

    test("a loader's single rows gather in one set that stays loading; another loader gets a set of their own", async () => {
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
      const old = await importOne(hana, "c1@example.com");
      const { sysId } = await setOf(server, hana.token, old);
      await openedYesterday(sysId);
      const next = await importOne(hana, "c2@example.com");
      assert.notEqual(next, old, "the new row does not join yesterday's set");
      assert.equal((await setOf(server, hana.token, old)).state, "processed");
      assert.equal((await setOf(server, hana.token, next)).state, "loading");
    });

    test("housekeeping processes the sets opened before midnight UTC without waiting for another row", async () => {
      const old = await importOne(ivo, "d1@example.com");
      const today = await importOne(hana, "d2@example.com");
      await openedYesterday((await setOf(server, ivo.token, old)).sysId);
      assert.equal(await server.jobs.runOnce(), true);
      assert.equal((await setOf(server, ivo.token, old)).state, "processed");
      assert.equal((await setOf(server, hana.token, today)).state, "loading", "a set opened today stays open");
      assert.equal(await importOne(hana, "d3@example.com"), today);
    });
  });
}
