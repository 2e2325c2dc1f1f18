import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { pngBytes } from "../attachments/attachment-support.ts";
import { adminPassword } from "../support/instance.ts";
import { basic, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type HttpsInstance, pythonQuery, send, startHttpsInstance } from "./compat-support.ts";

/**
 * Each request pysnow (rbw/pysnow: oauth_client.py, client.py, request.py, params_builder.py,
 * attachment.py, legacy_request.py) sends, replayed over HTTPS trusting the development CA.
 * pysnow puts Python's own False and an empty sysparm_view and sysparm_fields on every call,
 * and a JSON Content-Type on every request, bodiless GETs and DELETEs included.
 */
function sysparms(query: string, limit = 10000): [string, string][] {
  return [
    ["sysparm_query", query],
    ["sysparm_limit", String(limit)],
    ["sysparm_offset", "0"],
    ["sysparm_display_value", "False"],
    ["sysparm_suppress_pagination_header", "False"],
    ["sysparm_exclude_reference_link", "False"],
    ["sysparm_view", ""],
    ["sysparm_fields", ""],
  ];
}

for (const dialect of dialectsUnderTest()) {
  describe(`pysnow's requests over HTTPS on ${dialect.name}`, () => {
    let https: HttpsInstance;
    let base: string;
    let client: RegisteredClient;
    let headers: Record<string, string>;
    before(async () => {
      https = await startHttpsInstance(dialect);
      base = https.server.base;
      client = await registerClient(https.server.instance, { grant_types: ["password", "refresh_token"] });
    });
    after(() => https.close());

    test("OAuthClient.generate_token: the token carries every key set_token demands (scope and refresh_token among them)", async () => {
      const granted = await send(base, "POST", "/oauth_token.do", { accept: "application/json", "content-type": "application/x-www-form-urlencoded;charset=UTF-8", authorization: basic(client.clientId, client.secret) }, pythonQuery([["grant_type", "password"], ["username", "admin"], ["password", adminPassword]]));
      assert.equal(granted.status, 200, granted.text);
      for (const key of ["token_type", "refresh_token", "access_token", "scope", "expires_in"]) assert.ok(key in granted.body, key);
      assert.equal(granted.body.scope, "useraccount");
      headers = { authorization: `Bearer ${granted.body.access_token}`, "content-type": "application/json", accept: "application/json", "user-agent": "pysnow" };
    });

    test("Resource.update: a GET that must match exactly one record, then a PUT to its sys_id with the same parameters", async () => {
      const created = await send(base, "POST", `/api/now/table/incident?${pythonQuery(sysparms(""))}`, headers, JSON.stringify({ short_description: "pysnow update" }));
      assert.equal(created.status, 201, created.text);
      const number = created.body.result.number;
      const params = pythonQuery(sysparms(`number=${number}`));
      const found = await send(base, "GET", `/api/now/table/incident?${params}`, headers);
      assert.equal(found.status, 200, found.text);
      assert.equal(found.body.result.length, 1, "Response.one() accepts exactly one");
      const put = await send(base, "PUT", `/api/now/table/incident/${found.body.result[0].sys_id}?${params}`, headers, JSON.stringify({ state: "2" }));
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.result.state, "2");
      // Resource.delete: the same GET, then a DELETE with the JSON Content-Type and no body.
      const deleted = await send(base, "DELETE", `/api/now/table/incident/${found.body.result[0].sys_id}?${params}`, headers);
      assert.equal(deleted.status, 204, deleted.text);
    });

    test("LegacyRequest.get_multiple: Link rel=next followed to the end reads every record once; sysparm_view is accepted", async () => {
      for (const n of [1, 2, 3, 4, 5]) await send(base, "POST", "/api/now/table/incident", headers, JSON.stringify({ short_description: `paged ${n}` }));
      let response = await send(base, "GET", `/api/now/table/incident?${pythonQuery([["sysparm_query", "short_descriptionSTARTSWITHpaged^ORDERBYshort_description"], ["sysparm_limit", "2"], ["sysparm_view", "desktop"]])}`, headers);
      const seen: string[] = [];
      for (let pages = 0; ; pages++) {
        assert.equal(response.status, 200, response.text);
        seen.push(...response.body.result.map((r: any) => r.short_description));
        const next = /<([^>]+)>;rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
        if (!next) break;
        assert.ok(next.startsWith(`${base}/`), `the next link is an https URL of the instance: ${next}`);
        assert.ok(pages < 5, "the links end");
        response = await send("", "GET", next, headers);
      }
      assert.deepEqual(seen, ["paged 1", "paged 2", "paged 3", "paged 4", "paged 5"]);
    });

    test("LegacyRequest.count: the Aggregate API with sysparm_count=True; it stays in the client's shared request_params, so its later Table API calls carry it", async () => {
      const counted = await send(base, "GET", `/api/now/stats/incident?${pythonQuery([["sysparm_query", "short_descriptionSTARTSWITHpaged"], ["sysparm_count", "True"]])}`, headers);
      assert.equal(counted.status, 200, counted.text);
      assert.equal(counted.body.result.stats.count, "5");
      const later = await send(base, "GET", `/api/now/table/incident?${pythonQuery([["sysparm_query", "short_descriptionSTARTSWITHpaged"], ["sysparm_count", "True"], ["sysparm_limit", "2"], ["sysparm_suppress_pagination_header", "True"], ["sysparm_offset", "0"]])}`, headers);
      assert.equal(later.status, 200, later.text);
      assert.equal(later.body.result.length, 2);
    });

    test("Resource on the stats path: the Aggregate API accepts the eight parameters it puts on every call, Python's False among them", async () => {
      const stats = await send(base, "GET", `/api/now/stats/incident?${pythonQuery([...sysparms("short_descriptionSTARTSWITHpaged"), ["sysparm_count", "true"]])}`, headers);
      assert.equal(stats.status, 200, stats.text);
      assert.equal(stats.body.result.stats.count, "5");
    });

    test("Attachment: upload to /file claiming text/plain (no python-magic), list by table_sys_id, delete through a GET by sys_id", async () => {
      const incident = (await send(base, "POST", "/api/now/table/incident", headers, JSON.stringify({ short_description: "pysnow attach" }))).body.result.sys_id;
      const bytes = pngBytes();
      const params: [string, string][] = [...sysparms(""), ["table_name", "incident"], ["table_sys_id", incident], ["file_name", "diagram.png"]];
      const uploaded = await send(base, "POST", `/api/now/attachment/file?${pythonQuery(params)}`, { ...headers, "content-type": "text/plain" }, bytes);
      assert.equal(uploaded.status, 201, uploaded.text);
      assert.equal(uploaded.body.result.content_type, "image/png", "the bytes decide, not pysnow's guess");
      const listed = await send(base, "GET", `/api/now/attachment?${pythonQuery(sysparms(`table_sys_id=${incident}^table_name=incident`, 100))}`, headers);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.result.map((r: any) => r.file_name), ["diagram.png"]);
      const sysId = listed.body.result[0].sys_id;
      const one = await send(base, "GET", `/api/now/attachment?${pythonQuery(sysparms(`sys_id=${sysId}`))}`, headers);
      assert.equal(one.body.result.length, 1);
      const deleted = await send(base, "DELETE", `/api/now/attachment/${sysId}?${pythonQuery(sysparms(`sys_id=${sysId}`))}`, headers);
      assert.equal(deleted.status, 204, deleted.text);
    });
  });
}
