import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import contentDisposition from "content-disposition";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";
import { attachmentCounts, elfBytes, pngBytes, uploadMultipart, uploadRaw } from "./attachment-support.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Attachment API on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let incident: string;
    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      incident = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "with files" } })).body.result.sys_id;
    });
    after(() => server.close());

    test("raw upload: 201, Location, the platform's metadata; GET metadata, bytes and list agree; DELETE answers 204", async () => {
      const bytes = Buffer.from("name,count\nwidgets,3\n");
      const up = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "report.csv" }, bytes, "text/csv");
      assert.equal(up.status, 201, up.text);
      const r = up.body.result;
      assert.match(r.sys_id, /^[0-9a-f]{32}$/);
      assert.equal(up.headers.get("location"), `${server.url}/api/now/attachment/${r.sys_id}`);
      assert.equal(r.file_name, "report.csv");
      assert.equal(r.table_name, "incident");
      assert.equal(r.table_sys_id, incident);
      assert.equal(r.content_type, "text/csv");
      assert.equal(r.size_bytes, String(bytes.length));
      assert.equal(r.size_compressed, String(bytes.length));
      assert.equal(r.compressed, "false");
      assert.equal(r.hash, createHash("sha256").update(bytes).digest("hex"));
      assert.equal(r.download_link, `${server.url}/api/now/attachment/${r.sys_id}/file`);
      assert.equal(r.sys_created_by, "abel.tuter");
      assert.equal(r.sys_mod_count, "0");

      for (const base of ["/api/now/attachment", "/api/now/v1/attachment"]) {
        const meta = await api(server, "GET", `${base}/${r.sys_id}`, { token: user.token });
        assert.equal(meta.status, 200, meta.text);
        assert.deepEqual(meta.body.result, r);
        const file = await fetch(`${server.base}${base}/${r.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}`, accept: "application/json" } });
        assert.equal(file.status, 200);
        assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
        assert.equal(file.headers.get("content-type"), "text/csv");
        assert.equal(file.headers.get("x-content-type-options"), "nosniff");
        assert.match(file.headers.get("content-disposition")!, /^attachment; filename="report\.csv"$/);
        assert.match(file.headers.get("content-security-policy")!, /sandbox/);
        assert.equal(JSON.parse(file.headers.get("x-attachment-metadata")!).hash, r.hash);
        // The download answers the file's own type: an Accept for that type is not held to JSON.
        const asCsv = await fetch(`${server.base}${base}/${r.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}`, accept: "text/csv" } });
        assert.equal(asCsv.status, 200);
        assert.equal((await fetch(`${server.base}${base}/${r.sys_id}`, { headers: { authorization: `Bearer ${user.token}`, accept: "text/csv" } })).status, 406, "its metadata is JSON or XML");
      }

      const listed = await api(server, "GET", `/api/now/attachment?${q({ sysparm_query: `table_name=incident^table_sys_id=${incident}` })}`, { token: user.token });
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.headers.get("x-total-count"), "1");
      assert.deepEqual(listed.body.result, [r]);

      const removed = await api(server, "DELETE", `/api/now/attachment/${r.sys_id}`, { token: user.token });
      assert.equal(removed.status, 204);
      assert.equal(removed.text, "");
      assert.equal((await api(server, "GET", `/api/now/attachment/${r.sys_id}/file`, { token: user.token })).status, 404);
      assert.deepEqual(await attachmentCounts(server), { sys_attachment: 0, sys_attachment_doc: 0 });
    });

    test("multipart upload: fields then the file part, whose own Content-Type is the claim; any file name survives download", async () => {
      // Browsers percent-encode a double quote in a multipart file name (WHATWG); the raw upload below carries one as is.
      const name = "보고서; v2 (final).txt";
      const up = await uploadMultipart(server, user.token, { table_name: "incident", table_sys_id: incident }, { name, type: "text/plain; charset=utf-8", bytes: Buffer.from("안녕하세요\n") });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.result.file_name, name);
      assert.equal(up.body.result.content_type, "text/plain");
      const file = await fetch(`${server.base}/api/now/attachment/${up.body.result.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}` } });
      assert.equal(await file.text(), "안녕하세요\n");
      const disposition = file.headers.get("content-disposition")!;
      assert.match(disposition, /^attachment; filename="[^"]*"; filename\*=UTF-8''/);
      assert.equal(contentDisposition.parse(disposition).parameters.filename, name);
      assert.equal(JSON.parse(file.headers.get("x-attachment-metadata")!).file_name, name);
      const quoted = 'say "hi" there.txt';
      const raw = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: quoted }, Buffer.from("hi"), "text/plain");
      const rawFile = await fetch(`${server.base}/api/now/attachment/${raw.body.result.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}` } });
      assert.equal(contentDisposition.parse(rawFile.headers.get("content-disposition")!).parameters.filename, quoted);
      // A name with a path is offered for download without it, so no client writes outside its folder.
      const pathy = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "..\\..\\evil.txt" }, Buffer.from("e"), "text/plain");
      assert.equal(pathy.body.result.file_name, "..\\..\\evil.txt");
      const pathyFile = await fetch(`${server.base}/api/now/attachment/${pathy.body.result.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}` } });
      assert.equal(contentDisposition.parse(pathyFile.headers.get("content-disposition")!).parameters.filename, "evil.txt");
      // The older documentation names the field record_sys_id.
      const legacy = await uploadMultipart(server, user.token, { table_name: "incident", record_sys_id: incident }, { name: "a.txt", type: "text/plain", bytes: Buffer.from("a") });
      assert.equal(legacy.status, 201, legacy.text);
    });

    test("a JSON file stays a file: the body is stored as sent, not parsed", async () => {
      const bytes = Buffer.from('{"not": "parsed",   "spaces": true}');
      const up = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "data.json" }, bytes, "application/json");
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.result.content_type, "application/json");
      const file = await fetch(`${server.base}/api/now/attachment/${up.body.result.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}` } });
      assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
    });

    test("the stored content type is the one the bytes show: a PNG sent as text/plain is image/png; a claim the bytes contradict becomes octet-stream; an SVG keeps its type", async () => {
      const png = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "shot.txt" }, pngBytes(), "text/plain");
      assert.equal(png.body.result.content_type, "image/png");
      const file = await fetch(`${server.base}/api/now/attachment/${png.body.result.sys_id}/file`, { headers: { authorization: `Bearer ${user.token}` } });
      assert.equal(file.headers.get("content-type"), "image/png");
      const fake = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "fake.png" }, Buffer.from("<script>alert(1)</script>"), "image/png");
      assert.equal(fake.body.result.content_type, "application/octet-stream");
      const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>');
      const svgUp = await uploadMultipart(server, user.token, { table_name: "incident", table_sys_id: incident }, { name: "logo.svg", type: "image/svg+xml", bytes: svg });
      assert.equal(svgUp.body.result.content_type, "image/svg+xml");
      const none = await http(`${server.base}/api/now/attachment/file?${q({ table_name: "incident", table_sys_id: incident, file_name: "blob" })}`, { method: "POST", headers: { authorization: `Bearer ${user.token}` }, body: Uint8Array.from(pngBytes()) });
      assert.equal(none.status, 201, none.text);
      assert.equal(none.body.result.content_type, "image/png");
    });

    test("an executable disguised as another type is refused with 415 and nothing is stored; declared as what it is, it is accepted", async () => {
      const before = { ...(await tableCounts(server.instance.store)), ...(await attachmentCounts(server)) };
      for (const claimed of ["image/png", "text/plain", "application/pdf"]) {
        const res = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "invoice.pdf" }, elfBytes(), claimed);
        assert.equal(res.status, 415, res.text);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, /application\/x-elf/);
        const multi = await uploadMultipart(server, user.token, { table_name: "incident", table_sys_id: incident }, { name: "a.png", type: claimed, bytes: elfBytes() });
        assert.equal(multi.status, 415, multi.text);
      }
      assert.deepEqual({ ...(await tableCounts(server.instance.store)), ...(await attachmentCounts(server)) }, before);
      const honest = await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: incident, file_name: "tool" }, elfBytes(), "application/octet-stream");
      assert.equal(honest.status, 201, honest.text);
      assert.equal(honest.body.result.content_type, "application/x-elf");
    });

    test("sysparm_display_value=all gives {display_value, value} pairs, PySNC's list shape; paging with X-Total-Count and Link", async () => {
      const other = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "paging" } })).body.result.sys_id;
      for (const n of [1, 2, 3]) await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: other, file_name: `f${n}.txt` }, Buffer.from(`file ${n}`), "text/plain");
      const params = { sysparm_query: `table_sys_id=${other}^ORDERBYfile_name`, sysparm_display_value: "all", sysparm_exclude_reference_link: "true", sysparm_limit: "2", sysparm_offset: "0" };
      const page = await api(server, "GET", `/api/now/v1/attachment?${q(params)}`, { token: user.token });
      assert.equal(page.status, 200, page.text);
      assert.equal(page.headers.get("x-total-count"), "3");
      assert.deepEqual(page.body.result.map((r: any) => r.file_name), [{ display_value: "f1.txt", value: "f1.txt" }, { display_value: "f2.txt", value: "f2.txt" }]);
      assert.equal(page.body.result[0].download_link.value, `${server.url}/api/now/attachment/${page.body.result[0].sys_id.value}/file`);
      const next = /<([^>]*)>;rel="next"/.exec(page.headers.get("link")!)![1]!;
      assert.ok(next.startsWith(`${server.url}/api/now/v1/attachment?`), next);
      const rest = await api(server, "GET", next.slice(server.url.length), { token: user.token });
      assert.deepEqual(rest.body.result.map((r: any) => r.file_name.value), ["f3.txt"]);
      const suppressed = await api(server, "GET", `/api/now/attachment?${q({ ...params, sysparm_suppress_pagination_header: "true" })}`, { token: user.token });
      assert.equal(suppressed.headers.get("link"), null);
      assert.equal(suppressed.headers.get("x-total-count"), "3");
      const bad = await api(server, "GET", `/api/now/attachment?${q({ sysparm_query: "no_such_field=1" })}`, { token: user.token });
      assert.equal(bad.status, 400, bad.text);
    });

    test("bad requests get the envelope and store nothing: missing parameters, unknown table, malformed or absent parent", async () => {
      const before = await attachmentCounts(server);
      const cases: [Record<string, string>, number, RegExp][] = [
        [{ table_name: "incident", table_sys_id: incident }, 400, /file_name is required/],
        [{ table_sys_id: incident, file_name: "a" }, 400, /table_name is required/],
        [{ table_name: "no_such_table", table_sys_id: incident, file_name: "a" }, 404, /Invalid table/],
        [{ table_name: "sys_attachment", table_sys_id: incident, file_name: "a" }, 404, /Invalid table/],
        [{ table_name: "incident", table_sys_id: "not-a-sys-id", file_name: "a" }, 400, /table_sys_id/],
        [{ table_name: "incident", table_sys_id: "0".repeat(32), file_name: "a" }, 404, /No Record found/],
        [{ table_name: "incident", table_sys_id: incident, file_name: "a\u0000b" }, 400, /control characters/],
      ];
      for (const [params, status, message] of cases) {
        const res = await uploadRaw(server, user.token, params, Buffer.from("x"), "text/plain");
        assert.equal(res.status, status, `${JSON.stringify(params)}: ${res.text}`);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, message);
      }
      const noBoundary = await http(`${server.base}/api/now/attachment/upload?${q({ table_name: "incident", table_sys_id: incident, file_name: "a" })}`, { method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "multipart/form-data" }, body: "raw" });
      assert.equal(noBoundary.status, 400, noBoundary.text);
      assert.match(noBoundary.body.error.message, /boundary/);
      const noFile = await http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${user.token}` }, body: (() => { const f = new FormData(); f.set("table_name", "incident"); f.set("table_sys_id", incident); return f; })() });
      assert.equal(noFile.status, 400, noFile.text);
      // The platform wants the file last; a field after it is refused rather than half-applied.
      const late = ["--b", 'Content-Disposition: form-data; name="table_name"', "", "incident", "--b", 'Content-Disposition: form-data; name="f"; filename="a.txt"', "Content-Type: text/plain", "", "a", "--b", 'Content-Disposition: form-data; name="table_sys_id"', "", incident, "--b--", ""].join("\r\n");
      const lateField = await http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "multipart/form-data; boundary=b" }, body: late });
      assert.equal(lateField.status, 400, lateField.text);
      assert.match(lateField.body.error.message, /the file must be the last part/);
      // Cut off inside the file part: a 400, and the server keeps answering (an unheard stream error ended the process).
      const truncated = ["--b", 'Content-Disposition: form-data; name="table_name"', "", "incident", "--b", 'Content-Disposition: form-data; name="table_sys_id"', "", incident, "--b", 'Content-Disposition: form-data; name="f"; filename="a.txt"', "", "abc"].join("\r\n");
      const cut = await http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "multipart/form-data; boundary=b" }, body: truncated });
      assert.equal(cut.status, 400, cut.text);
      assert.match(cut.body.error.message, /could not be read/);
      assert.equal((await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${user.token}` } })).status, 200, "the server is still up");
      const twice = ["--b", 'Content-Disposition: form-data; name="table_name"', "", "incident", "--b", 'Content-Disposition: form-data; name="table_name"', "", "sys_user", "--b", 'Content-Disposition: form-data; name="table_sys_id"', "", incident, "--b", 'Content-Disposition: form-data; name="f"; filename="a.txt"', "", "a", "--b--", ""].join("\r\n");
      const repeated = await http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "multipart/form-data; boundary=b" }, body: twice });
      assert.equal(repeated.status, 400, repeated.text);
      assert.match(repeated.body.error.message, /table_name is given more than once/);
      const gzipped = await http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "multipart/form-data; boundary=b", "content-encoding": "gzip" }, body: twice });
      assert.equal(gzipped.status, 415, gzipped.text);
      const manyParts = [...Array.from({ length: 22 }, (_, i) => ["--b", `Content-Disposition: form-data; name="x${i}"`, "", "v"]).flat(), "--b", 'Content-Disposition: form-data; name="f"; filename="a.txt"', "", "a", "--b--", ""].join("\r\n");
      const crowded = await http(`${server.base}/api/now/attachment/upload`, { method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "multipart/form-data; boundary=b" }, body: manyParts });
      assert.equal(crowded.status, 400, crowded.text);
      assert.match(crowded.body.error.message, /at most 20 form fields/);
      assert.equal((await http(`${server.base}/api/now/attachment/${"f".repeat(32)}`, { headers: { authorization: `Bearer ${user.token}` } })).status, 404);
      assert.equal((await http(`${server.base}/api/now/attachment/file?${q({ table_name: "incident", table_sys_id: incident, file_name: "a" })}`, { method: "POST", body: "x" })).status, 401);
      assert.deepEqual(await attachmentCounts(server), before);
    });

    test("deleting the parent record deletes its attachments and their bytes, in the same transaction", async () => {
      const parent = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "doomed" } })).body.result.sys_id;
      const a = (await uploadRaw(server, user.token, { table_name: "incident", table_sys_id: parent, file_name: "a.txt" }, Buffer.from("a"), "text/plain")).body.result.sys_id;
      const before = await attachmentCounts(server);
      assert.equal((await api(server, "DELETE", `/api/now/table/incident/${parent}`, { token: admin.token })).status, 204);
      assert.equal((await api(server, "GET", `/api/now/attachment/${a}`, { token: admin.token })).status, 404);
      assert.deepEqual(await attachmentCounts(server), { sys_attachment: before.sys_attachment - 1, sys_attachment_doc: before.sys_attachment_doc - 1 });
    });
  });
}
