import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/** Hostile input through every door of the Table API: a clean 400 or 404, and nothing written. */
for (const dialect of dialectsUnderTest()) {
  describe(`injection attempts against the Table API on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let counts: Record<string, number>;
    let sysId: string;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      sysId = (await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: "target" } })).body.result.sys_id;
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no attempt wrote anything");
      const still = await api(server, "GET", `/api/now/table/incident/${sysId}`, { token: admin.token });
      assert.equal(still.body.result.short_description, "target");
      await server.close();
    });

    const tableNames = ["incident;DROP TABLE sys_user", "incident%20where%201%3D1", "sys_user--", "..%2F..%2Fetc", "%22incident%22", "INCIDENT", "incident'", "u_x%22%3B%20drop%20table%20incident%3B--", "pg_catalog.pg_user", "sqlite_master", "portcullis_migration", "oauth_auth_code", "login_session"];
    for (const name of tableNames) {
      test(`table name ${JSON.stringify(name)} is a 404 on every method`, async () => {
        for (const method of ["GET", "POST"]) {
          const res = await api(server, method, `/api/now/table/${name}`, { token: admin.token, ...(method === "POST" ? { body: { short_description: "x" } } : {}) });
          assert.equal(res.status, 404, `${method} ${name}: ${res.text}`);
          assert.equal(res.body.status, "failure");
        }
      });
    }

    const sysIds: [string, (real: string) => string][] = [
      ["' OR '1'='1", (r) => `${r}' OR '1'='1`],
      ["31 hex and a quote", () => `${"a".repeat(31)}'`],
      ["1 OR 1=1", () => "1 OR 1=1"],
      ["the real one with a space", (r) => `${r} `],
      ["the real one in upper case", (r) => r.toUpperCase()],
      ["the real one and a NUL", (r) => `${r}\u0000`],
      ["*", () => "*"],
    ];
    for (const [name, make] of sysIds) {
      test(`sys_id ${name} is a 404 on every method`, async () => {
        const id = make(sysId);
        for (const method of ["GET", "PATCH", "PUT", "DELETE"]) {
          const res = await api(server, method, `/api/now/table/incident/${encodeURIComponent(id)}`, { token: admin.token, ...(method === "PATCH" || method === "PUT" ? { body: { short_description: "hacked" } } : {}) });
          assert.equal(res.status, 404, `${method} ${id}: ${res.text}`);
        }
      });
    }

    const queries = ["short_description=x'); DELETE FROM incident; --", "short_descriptionLIKE%' OR 1=1 --", "sys_idIN' OR ''='", "short_description=x\u0000", "short_descriptionLIKEx\u0000", "priority=1 OR 1=1", "priority>0) OR (1=1", "active=true^ORDERBYpriority;DROP TABLE incident", "short_description)=1", "sys_id=1^ORsys_idISNOTEMPTY^NQ'"];
    for (const query of queries) {
      test(`sysparm_query ${JSON.stringify(query)} is a 400 or an honest empty answer`, async () => {
        const res = await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: query })}`, { token: admin.token });
        assert.ok(res.status === 400 || (res.status === 200 && res.body.result.length === 0), `${res.status} ${res.text}`);
        if (res.status === 400) assert.equal(res.body.status, "failure");
      });
    }

    for (const fields of ["sys_id,(select password_hash from sys_user)", "sys_id from sys_user --", "*", "sys_id;drop table incident", "count(*)"]) {
      test(`sysparm_fields ${JSON.stringify(fields)} is a 400`, async () => {
        const res = await api(server, "GET", `/api/now/table/incident?${q({ sysparm_fields: fields })}`, { token: admin.token });
        assert.equal(res.status, 400, res.text);
      });
    }

    test("field names in a body are checked against the dictionary, not passed to SQL", async () => {
      for (const raw of ['{"short_description = \'x\' --": "y"}', '{"sys_id) values (\'x\'); --": "y"}', '{"__proto__": {"short_description": "x"}}', '{"constructor": "y"}', '{"Short_Description": "y"}']) {
        const res = await api(server, "PATCH", `/api/now/table/incident/${sysId}`, { token: admin.token, rawBody: raw });
        assert.equal(res.status, 400, `${raw}: ${res.text}`);
        assert.equal(res.body.status, "failure");
      }
    });
  });
}
