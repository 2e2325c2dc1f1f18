import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { definePersonImport } from "../support/import-sets.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * 100 000 rows through insertMultiple on SQLite: the load answers at once, the background job
 * works through the set while the server keeps answering other requests, and the counts add up.
 * Nothing here is timed; the proof of responsiveness is that other requests complete while the
 * set is still being processed.
 */
const rows = 100_000;
const sqlite = dialectsUnderTest().find((d) => d.name === "sqlite")!;

describe("a 100 000-row import on SQLite", () => {
  let server: TestInstance;
  let admin: ApiUser;
  let loader: ApiUser;
  before(async () => {
    server = await startTestInstance(sqlite, { importMaxRecords: rows });
    admin = await apiUser(server, "admin");
    loader = await apiUser(server, "hana", ["hr"]);
    await definePersonImport(server, admin.token);
  });
  after(() => server.close());

  test("is transformed in the background while other requests are answered", async () => {
    const records = Array.from({ length: rows }, (_, i) => ({ u_email: `p${i}@example.com`, u_name: `Person ${i}`, u_age: i % 1000 === 7 ? "n/a" : String(i % 100) }));
    const res = await api(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: loader.token, body: { records } });
    assert.equal(res.status, 201, res.text);
    const setId = res.body.import_set_id;

    // whoami and a Table API read between looks at the set: each answered while the set was still part-way through counts.
    let answeredWhileProcessing = 0;
    let done: any;
    for (;;) {
      const who = await api(server, "GET", "/api/now/v1/whoami", { token: loader.token });
      assert.equal(who.status, 200, who.text);
      assert.equal(who.body.result.user_name, "hana");
      const read = await api(server, "GET", `/api/now/table/u_person?${q({ sysparm_limit: "5", sysparm_no_count: "true" })}`, { token: loader.token });
      assert.equal(read.status, 200, read.text);
      const progress = await api(server, "GET", `/api/now/import/u_imp_person/${setId}`, { token: loader.token });
      const processed = Number(progress.body.processed_count);
      if (progress.body.state === "processing" && processed > 0 && processed < rows) answeredWhileProcessing++;
      if (progress.body.state === "processed" || progress.body.state === "error") {
        done = progress.body;
        break;
      }
      await sleep(250);
    }
    assert.ok(answeredWhileProcessing >= 3, `other requests were answered while the job ran (${answeredWhileProcessing} times)`);
    assert.equal(done.state, "processed");
    const errors = rows / 1000;
    assert.deepEqual([done.row_count, done.processed_count, done.inserted_count, done.error_count], [String(rows), String(rows), String(rows - errors), String(errors)]);
    const people = await api(server, "GET", `/api/now/table/u_person?${q({ sysparm_limit: "1" })}`, { token: loader.token });
    assert.equal(people.headers.get("x-total-count"), String(rows - errors));
  });
});
