import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { definePersonImport } from "../support/import-sets.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";
import { list, xmlCall, xmlResponse } from "../support/xml.ts";

/** The platform's other APIs answer XML by the same rule as the Table API: the JSON envelope's members as elements. */
for (const dialect of dialectsUnderTest()) {
  describe(`Aggregate, Attachment and Import Set APIs in XML on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "hana", ["hr"]);
      for (const priority of ["1", "2", "2"]) await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: `stats ${priority}`, priority } });
    });
    after(() => server.close());

    test("Aggregate API: stats in one <result>; grouped, one <result> per group with a <groupby_fields> each", async () => {
      const query = "short_descriptionSTARTSWITHstats";
      const plain = await xmlCall(server, "GET", `/api/now/stats/incident?${q({ sysparm_query: query, sysparm_count: "true", sysparm_avg_fields: "priority" })}`, { token: user.token });
      assert.equal(plain.status, 200, plain.text);
      assert.deepEqual(xmlResponse(plain), { result: { stats: { count: "3", avg: { priority: "1.6667" } } } });
      const grouped = await xmlCall(server, "GET", `/api/now/stats/incident?${q({ sysparm_query: query, sysparm_count: "true", sysparm_group_by: "priority", sysparm_order_by: "priority" })}`, { token: user.token });
      const groups = list(xmlResponse(grouped).result) as any[];
      assert.deepEqual(
        groups.map((g) => [g.stats.count, g.groupby_fields.field, g.groupby_fields.value]),
        [
          ["1", "priority", "1"],
          ["2", "priority", "2"],
        ],
      );
    });

    test("Attachment API: an upload's answer, the metadata and the list in XML; the bytes keep their own type", async () => {
      const incident = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "with a file" } })).body.result.sys_id;
      const up = await http(`${server.base}/api/now/attachment/file?${q({ table_name: "incident", table_sys_id: incident, file_name: "a&b.csv" })}`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, accept: "application/xml", "content-type": "text/csv" },
        body: "x,y\n",
      });
      assert.equal(up.status, 201, up.text);
      const uploaded = xmlResponse(up).result;
      assert.equal(uploaded.file_name, "a&b.csv");
      const meta = await xmlCall(server, "GET", `/api/now/attachment/${uploaded.sys_id}`, { token: user.token });
      const result = xmlResponse(meta).result;
      assert.equal(result.download_link, `${server.url}/api/now/attachment/${uploaded.sys_id}/file`);
      assert.equal(result.size_bytes, "4");
      const listed = await xmlCall(server, "GET", `/api/now/attachment?${q({ sysparm_query: `table_sys_id=${incident}` })}`, { token: user.token });
      assert.deepEqual(list(xmlResponse(listed).result).map((r: any) => r.sys_id), [uploaded.sys_id]);
      const file = await xmlCall(server, "GET", `/api/now/attachment/${uploaded.sys_id}/file`, { token: user.token });
      assert.equal(file.text, "x,y\n");
      assert.match(file.headers.get("content-type") ?? "", /^text\/csv/);
    });

    test("Import Set API: a staging row posted in XML is transformed and answered in XML", async () => {
      await definePersonImport(server, admin.token);
      const res = await xmlCall(server, "POST", "/api/now/import/u_imp_person", { token: user.token, body: "<request><entry><u_email>xml@example.com</u_email><u_name>Xavier</u_name><u_age>40</u_age></entry></request>" });
      assert.equal(res.status, 201, res.text);
      const answer = xmlResponse(res);
      assert.match(answer.import_set, /^ISET\d{7}$/);
      assert.equal(answer.staging_table, "u_imp_person");
      assert.equal(answer.result.status, "inserted");
      assert.equal(answer.result.display_value, "Xavier");
      const row = await xmlCall(server, "GET", `/api/now/import/u_imp_person/${answer.result.sys_id}`, { token: user.token });
      assert.equal(row.status, 404, "a target sys_id is not a staging row");
      assert.equal(xmlResponse(row).error.message, "No Record found");
      const many = await xmlCall(server, "POST", "/api/now/import/u_imp_person/insertMultiple", { token: user.token, body: "<request><records><u_name>x</u_name></records></request>" });
      assert.equal(many.status, 415, "insertMultiple reads JSON only");
      assert.match(xmlResponse(many).error.message, /Content-Type: application\/xml is not read here; send application\/json$/);
    });
  });
}
