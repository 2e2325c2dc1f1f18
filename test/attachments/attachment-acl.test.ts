import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";
import { attachmentCounts, uploadMultipart, uploadRaw } from "./attachment-support.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Attachments follow the parent record's ACL on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let auditor: ApiUser;
    let secretRecord: string;
    let secretAttachment: string;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "plain.user");
      await api(server, "POST", "/api/now/table/sys_user_role", { token: admin.token, body: { name: "auditor" } });
      auditor = await apiUser(server, "audit.person", ["auditor"]);
      const table = await api(server, "POST", "/api/now/table/sys_db_object", { token: admin.token, body: { name: "u_vault", label: "Vault", read_roles: "auditor", create_roles: "auditor", write_roles: "auditor" } });
      assert.equal(table.status, 201, table.text);
      await api(server, "POST", "/api/now/table/sys_dictionary", { token: admin.token, body: { name: "u_vault", element: "u_name", internal_type: "string" } });
      secretRecord = (await api(server, "POST", "/api/now/table/u_vault", { token: auditor.token, body: { u_name: "keys" } })).body.result.sys_id;
      const up = await uploadRaw(server, auditor.token, { table_name: "u_vault", table_sys_id: secretRecord, file_name: "keys.txt" }, Buffer.from("secret"), "text/plain");
      assert.equal(up.status, 201, up.text);
      secretAttachment = up.body.result.sys_id;
    });
    after(() => server.close());

    test("without read on the parent table: not listed, not counted, metadata and bytes refused", async () => {
      const listed = await api(server, "GET", "/api/now/attachment", { token: user.token });
      assert.equal(listed.status, 200, listed.text);
      assert.ok(!listed.body.result.some((r: any) => r.sys_id === secretAttachment));
      assert.equal(listed.headers.get("x-total-count"), String(listed.body.result.length));
      const byQuery = await api(server, "GET", `/api/now/attachment?${q({ sysparm_query: "table_name=u_vault" })}`, { token: user.token });
      assert.deepEqual(byQuery.body.result, []);
      assert.equal(byQuery.headers.get("x-total-count"), "0");
      for (const path of [`/api/now/attachment/${secretAttachment}`, `/api/now/attachment/${secretAttachment}/file`]) {
        const res = await api(server, "GET", path, { token: user.token });
        assert.equal(res.status, 403, `${path}: ${res.text}`);
        assert.equal(res.body.status, "failure");
      }
      const seen = await api(server, "GET", `/api/now/attachment?${q({ sysparm_query: "table_name=u_vault" })}`, { token: auditor.token });
      assert.deepEqual(seen.body.result.map((r: any) => r.sys_id), [secretAttachment]);
    });

    test("without write on the parent table: upload and delete refused and nothing changes", async () => {
      const before = await attachmentCounts(server);
      const up = await uploadRaw(server, user.token, { table_name: "u_vault", table_sys_id: secretRecord, file_name: "x.txt" }, Buffer.from("x"), "text/plain");
      assert.equal(up.status, 403, up.text);
      const multi = await uploadMultipart(server, user.token, { table_name: "u_vault", table_sys_id: secretRecord }, { name: "x.txt", type: "text/plain", bytes: Buffer.from("x") });
      assert.equal(multi.status, 403, multi.text);
      assert.equal((await api(server, "DELETE", `/api/now/attachment/${secretAttachment}`, { token: user.token })).status, 403);
      // sys_user: everyone reads, only admins write. Reading the bytes is allowed, changing them is not.
      const onUser = await uploadRaw(server, admin.token, { table_name: "sys_user", table_sys_id: admin.sysId, file_name: "avatar.txt" }, Buffer.from("me"), "text/plain");
      assert.equal(onUser.status, 201, onUser.text);
      assert.equal((await uploadRaw(server, user.token, { table_name: "sys_user", table_sys_id: admin.sysId, file_name: "y" }, Buffer.from("y"), "text/plain")).status, 403);
      const file = await api(server, "GET", `/api/now/attachment/${onUser.body.result.sys_id}/file`, { token: user.token });
      assert.equal(file.status, 200);
      assert.equal(file.text, "me");
      assert.equal((await api(server, "DELETE", `/api/now/attachment/${onUser.body.result.sys_id}`, { token: user.token })).status, 403);
      assert.deepEqual(await attachmentCounts(server), { sys_attachment: before.sys_attachment + 1, sys_attachment_doc: before.sys_attachment_doc + 1 });
    });

    test("the Table API shows sys_attachment to admins only and lets nobody write it", async () => {
      assert.equal((await api(server, "GET", "/api/now/table/sys_attachment", { token: user.token })).status, 403);
      const listed = await api(server, "GET", "/api/now/table/sys_attachment", { token: admin.token });
      assert.equal(listed.status, 200, listed.text);
      assert.ok(listed.body.result.some((r: any) => r.sys_id === secretAttachment));
      assert.equal((await api(server, "POST", "/api/now/table/sys_attachment", { token: admin.token, body: { file_name: "x" } })).status, 403);
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_attachment/${secretAttachment}`, { token: admin.token })).status, 403);
    });

    test("dropping a custom table drops the attachments of its records", async () => {
      const tableId = (await api(server, "GET", `/api/now/table/sys_db_object?${q({ sysparm_query: "name=u_vault" })}`, { token: admin.token })).body.result[0].sys_id;
      assert.equal((await api(server, "DELETE", `/api/now/table/sys_db_object/${tableId}`, { token: admin.token })).status, 204);
      assert.equal((await api(server, "GET", `/api/now/attachment/${secretAttachment}`, { token: admin.token })).status, 404);
      const left = await server.instance.store.db.selectFrom("sys_attachment_doc").select("sys_attachment").where("sys_attachment", "=", secretAttachment).execute();
      assert.deepEqual(left, []);
    });
  });

  describe(`Attachment size limit (PORTCULLIS_ATTACHMENT_MAX_BYTES) on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    let incident: string;
    before(async () => {
      server = await startTestInstance(dialect, { attachmentMaxBytes: 1000 });
      user = await apiUser(server, "limited.user");
      incident = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "limits" } })).body.result.sys_id;
    });
    after(() => server.close());

    test("one byte over the limit is 413 in the envelope, raw or multipart, and stores nothing; exactly the limit is accepted", async () => {
      const params = { table_name: "incident", table_sys_id: incident, file_name: "big.bin" };
      for (const res of [await uploadRaw(server, user.token, params, Buffer.alloc(1001, 7), "application/octet-stream"), await uploadMultipart(server, user.token, { table_name: "incident", table_sys_id: incident }, { name: "big.bin", type: "application/octet-stream", bytes: Buffer.alloc(1001, 7) })]) {
        assert.equal(res.status, 413, res.text);
        assert.equal(res.body.status, "failure");
        assert.ok(res.body.error.message.length > 0);
      }
      assert.deepEqual(await attachmentCounts(server), { sys_attachment: 0, sys_attachment_doc: 0 });
      assert.equal((await uploadRaw(server, user.token, params, Buffer.alloc(1000, 7), "application/octet-stream")).status, 201);
      assert.equal((await uploadMultipart(server, user.token, { table_name: "incident", table_sys_id: incident }, { name: "ok.bin", type: "application/octet-stream", bytes: Buffer.alloc(1000, 7) })).status, 201);
    });
  });
}
