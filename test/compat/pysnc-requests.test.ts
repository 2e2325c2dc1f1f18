import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminPassword } from "../support/instance.ts";
import { basic, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { findUserByName } from "../../src/store/user-store.ts";
import { pngBytes } from "../attachments/attachment-support.ts";
import { type HttpsInstance, pythonQuery, send, startHttpsInstance } from "./compat-support.ts";

/**
 * Each request PySNC (ServiceNow/PySNC: pysnc/auth.py, client.py, record.py, attachment.py)
 * sends, replayed byte for byte in method, path, parameter order, headers and body, over
 * HTTPS trusting the development CA; and what PySNC then reads from the answer.
 */
const form = "application/x-www-form-urlencoded;charset=UTF-8";
/** What API._set_params adds to every table and attachment request. */
const setParams: [string, string][] = [
  ["sysparm_display_value", "all"],
  ["sysparm_exclude_reference_link", "true"],
  ["sysparm_suppress_pagination_header", "true"],
];

for (const dialect of dialectsUnderTest()) {
  describe(`PySNC's requests over HTTPS on ${dialect.name}`, () => {
    let https: HttpsInstance;
    let base: string;
    let client: RegisteredClient;
    let token: string;
    const json = () => ({ authorization: `Bearer ${token}`, accept: "application/json" });
    before(async () => {
      https = await startHttpsInstance(dialect);
      base = https.server.base;
      const admin = await findUserByName(https.server.instance.store.db, "admin");
      client = await registerClient(https.server.instance, { grant_types: ["password", "refresh_token", "client_credentials"], client_credentials_user: admin!.sysId });
    });
    after(() => https.close());

    test("ServiceNowPasswordGrantFlow: password grant with the client in HTTP Basic, refresh with its credentials in the body, expires_in every time", async () => {
      const granted = await send(base, "POST", "/oauth_token.do", { accept: "application/json", "content-type": form, authorization: basic(client.clientId, client.secret) }, pythonQuery([["grant_type", "password"], ["username", "admin"], ["password", adminPassword]]));
      assert.equal(granted.status, 200, granted.text);
      assert.equal(granted.body.token_type, "Bearer");
      assert.ok(Number.isInteger(granted.body.expires_in) && granted.body.expires_in > 0);
      assert.ok(granted.body.refresh_token);
      token = granted.body.access_token;
      // OAuth2Session.refresh_token with auto_refresh_kwargs = {client_id, client_secret}.
      const refreshed = await send(base, "POST", "/oauth_token.do", { accept: "application/json", "content-type": form }, pythonQuery([["grant_type", "refresh_token"], ["refresh_token", granted.body.refresh_token], ["client_id", client.clientId], ["client_secret", client.secret]]));
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.ok(Number.isInteger(refreshed.body.expires_in) && refreshed.body.expires_in > 0);
      token = refreshed.body.access_token;
    });

    test("ServiceNowClientCredentialsFlow: credentials in the body, expires_in read for the refresh schedule, the token used as Bearer", async () => {
      const granted = await send(base, "POST", "/oauth_token.do", { "content-type": "application/x-www-form-urlencoded; charset=UTF-8", accept: "*/*" }, pythonQuery([["grant_type", "client_credentials"], ["client_id", client.clientId], ["client_secret", client.secret]]));
      assert.equal(granted.status, 200, granted.text);
      assert.ok(Number.isInteger(granted.body.expires_in));
      const listed = await send(base, "GET", `/api/now/table/incident?${pythonQuery([["sysparm_query", "ORDERBYsys_id"], ["sysparm_limit", "1"], ...setParams])}`, { authorization: `Bearer ${granted.body.access_token}`, accept: "application/json" });
      assert.equal(listed.status, 200, listed.text);
    });

    test("GlideRecord: insert 201, query with display_value=all and ORDERBYsys_id, integer X-Total-Count and no Link, update by PATCH 200, delete 204", async () => {
      const ids: string[] = [];
      for (const n of [1, 2, 3]) {
        // GlideRecord.insert → TableAPI.post: _set_params() and the serialized record as JSON.
        const created = await send(base, "POST", `/api/now/table/incident?${pythonQuery(setParams)}`, { ...json(), "content-type": "application/json" }, JSON.stringify({ short_description: `pysnc ${n}`, priority: "3" }));
        assert.equal(created.status, 201, created.text);
        assert.deepEqual(created.body.result.short_description, { display_value: `pysnc ${n}`, value: `pysnc ${n}` });
        ids.push(created.body.result.sys_id.value);
      }
      // GlideRecord._parameters: query, fields (sys_id first), display value, reference links, limit, offset; then _set_params.
      const page = [
        ["sysparm_query", "short_descriptionSTARTSWITHpysnc^ORDERBYsys_id"],
        ["sysparm_fields", "sys_id,short_description,priority,caller_id"],
        ["sysparm_display_value", "all"],
        ["sysparm_exclude_reference_link", "true"],
        ["sysparm_limit", "2"],
        ["sysparm_offset", "0"],
        ["sysparm_suppress_pagination_header", "true"],
      ] as [string, string][];
      const first = await send(base, "GET", `/api/now/table/incident?${pythonQuery(page)}`, json());
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get("x-total-count"), "3");
      assert.equal(Number.parseInt(first.headers.get("x-total-count")!, 10), 3);
      assert.equal(first.headers.get("link"), null);
      assert.deepEqual(first.body.result.map((r: any) => r.sys_id.value), [...ids].sort().slice(0, 2));
      assert.deepEqual(Object.keys(first.body.result[0]).sort(), ["caller_id", "priority", "short_description", "sys_id"]);
      assert.deepEqual(first.body.result[0].priority, { display_value: "3 - Moderate", value: "3" });
      assert.deepEqual(first.body.result[0].caller_id, { display_value: "", value: "" });
      page[5] = ["sysparm_offset", "2"];
      const second = await send(base, "GET", `/api/now/table/incident?${pythonQuery(page)}`, json());
      assert.deepEqual(second.body.result.map((r: any) => r.sys_id.value), [...ids].sort().slice(2));

      // GlideRecord.update → TableAPI.patch: changes only, _set_params().
      const patched = await send(base, "PATCH", `/api/now/table/incident/${ids[0]}?${pythonQuery(setParams)}`, { ...json(), "content-type": "application/json" }, JSON.stringify({ priority: "1" }));
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.result.priority.value, "1");
      // GlideRecord.delete → TableAPI.delete: no parameters, no body, the session's Accept only.
      const deleted = await send(base, "DELETE", `/api/now/table/incident/${ids[0]}`, json());
      assert.equal(deleted.status, 204, deleted.text);
    });

    test("BatchAPI: an integer batch_request_id, relative URLs, headers as name/value pairs, base64 bodies; answered per sub-request", async () => {
      const body = Buffer.from(JSON.stringify({ short_description: "batched" }));
      const batch = {
        batch_request_id: 1,
        rest_requests: [
          { id: "140000001", method: "POST", url: `/api/now/table/incident?${pythonQuery(setParams)}`, headers: [{ name: "Content-Length", value: String(body.length) }, { name: "Content-Type", value: "application/json" }], body: body.toString("base64") },
          { id: "140000002", method: "GET", url: `/api/now/table/incident?${pythonQuery([["sysparm_query", "ORDERBYsys_id"], ["sysparm_display_value", "all"], ["sysparm_exclude_reference_link", "true"], ["sysparm_limit", "100"], ["sysparm_offset", "0"], ["sysparm_suppress_pagination_header", "true"]])}`, headers: [] },
          { id: "140000003", method: "DELETE", url: `/api/now/table/incident/${"0".repeat(32)}`, headers: [] },
        ],
      };
      const res = await send(base, "POST", "/api/now/v1/batch", { ...json(), "content-type": "application/json" }, JSON.stringify(batch));
      assert.equal(res.status, 200, res.text);
      assert.equal(String(1), res.body.batch_request_id);
      assert.deepEqual(res.body.unserviced_requests, []);
      const byId = Object.fromEntries(res.body.serviced_requests.map((r: any) => [r.id, r]));
      assert.equal(byId["140000001"].status_code, 201);
      const created = JSON.parse(Buffer.from(byId["140000001"].body, "base64").toString());
      assert.equal(created.result.short_description.value, "batched");
      assert.equal(byId["140000002"].status_code, 200);
      const total = byId["140000002"].headers.find((h: any) => h.name.toLowerCase() === "x-total-count");
      assert.ok(Number.isInteger(Number.parseInt(total.value, 10)));
      assert.equal(byId["140000003"].status_code, 404, "a failing sub-request fails alone");
    });

    test("Attachment: add_attachment (raw body, its Location), query (display_value=all, X-Total-Count), get, read, delete, all on /api/now/v1", async () => {
      const incident = (await send(base, "POST", `/api/now/table/incident?${pythonQuery(setParams)}`, { ...json(), "content-type": "application/json" }, JSON.stringify({ short_description: "attach here" }))).body.result.sys_id.value;
      // AttachmentAPI.upload_file: params file_name, table_name, table_sys_id; Content-Type given or application/octet-stream.
      const bytes = pngBytes();
      const upload = await send(base, "POST", `/api/now/v1/attachment/file?${pythonQuery([["file_name", "screen shot.png"], ["table_name", "incident"], ["table_sys_id", incident]])}`, { ...json(), "content-type": "application/octet-stream" }, bytes);
      assert.equal(upload.status, 201, upload.text);
      const location = upload.headers.get("location")!;
      assert.match(location, new RegExp(`^${base}/api/now/attachment/[0-9a-f]{32}$`));
      const sysId = location.slice(location.lastIndexOf("/") + 1);
      assert.equal(upload.body.result.content_type, "image/png");

      // Attachment.query → AttachmentAPI.list: sysparm_query=table_name=<table>, offset, then _set_params.
      const listed = await send(base, "GET", `/api/now/v1/attachment?${pythonQuery([["sysparm_query", "table_name=incident"], ["sysparm_offset", "0"], ...setParams])}`, json());
      assert.equal(listed.status, 200, listed.text);
      assert.ok(Number.parseInt(listed.headers.get("x-total-count")!, 10) >= 1);
      const mine = listed.body.result.find((r: any) => r.sys_id.value === sysId);
      assert.deepEqual(mine.file_name, { display_value: "screen shot.png", value: "screen shot.png" });
      assert.equal(mine.table_sys_id.value, incident);

      // Attachment.get → AttachmentAPI.get: no parameters; the result's values are read as they come.
      const meta = await send(base, "GET", `/api/now/v1/attachment/${sysId}`, json());
      assert.equal(meta.status, 200, meta.text);
      assert.equal(meta.body.result.sys_id, sysId);
      assert.equal(meta.body.result.size_bytes, String(bytes.length));
      // Attachment.read → get_file: the session still sends Accept: application/json; the bytes come back regardless.
      const file = await fetch(`${base}/api/now/v1/attachment/${sysId}/file`, { headers: json() });
      assert.equal(file.status, 200);
      assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
      assert.equal(file.headers.get("content-type"), "image/png");
      // Attachment.delete expects exactly 204.
      const removed = await send(base, "DELETE", `/api/now/v1/attachment/${sysId}`, json());
      assert.equal(removed.status, 204, removed.text);
      // A missing attachment is a 404 in the envelope, which PySNC turns into NotFoundException.
      const gone = await send(base, "GET", `/api/now/v1/attachment/${sysId}`, json());
      assert.equal(gone.status, 404);
      assert.equal(gone.body.status, "failure");
    });
  });
}
