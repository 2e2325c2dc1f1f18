import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";
import { list, xmlCall, xmlResponse } from "../support/xml.ts";
import { xmlDocument } from "../../src/http/xml/xml-document.ts";

describe("the XML writer", () => {
  const parsed = (answer: unknown) => xmlResponse({ status: 200, headers: new Headers({ "content-type": "application/xml; charset=utf-8" }), body: undefined, text: xmlDocument(answer) });

  test("a member whose name is not an XML name keeps it in a key attribute; the document stays well-formed", () => {
    const names = ["first name", "1st", "a:b", "<x>", 'q"uote', "", "-dash", "é_ok", "x.y-z"];
    const doc = parsed({ result: Object.fromEntries(names.map((n, i) => [n, String(i)])) });
    const items = list(doc.result.item) as any[];
    assert.deepEqual(items.map((i) => i["@key"]), names.slice(0, 7));
    assert.deepEqual(items.map((i) => i["#text"]), ["0", "1", "2", "3", "4", "5", "6"]);
    assert.equal(doc.result["é_ok"], "7");
    assert.equal(doc.result["x.y-z"], "8");
  });

  test("lists repeat their element, null and empty are empty elements, numbers and booleans are their text, lone surrogates are replaced", () => {
    const doc = parsed({ result: { tags: ["a", ["b", "c"]], none: null, empty: "", n: 1.5, yes: true, bad: "x\uD800y\uDC00z", emoji: "😀", nested: [{ k: "1" }, { k: "2" }], skipped: undefined } });
    assert.deepEqual(doc.result.tags, ["a", "b", "c"]);
    assert.equal(doc.result.none, "");
    assert.equal(doc.result.empty, "");
    assert.equal(doc.result.n, "1.5");
    assert.equal(doc.result.yes, "true");
    assert.equal(doc.result.bad, "x\uFFFDy\uFFFDz");
    assert.equal(doc.result.emoji, "😀");
    assert.deepEqual(doc.result.nested, [{ k: "1" }, { k: "2" }]);
    assert.ok(!("skipped" in doc.result));
    assert.deepEqual(parsed(["x", "y"]).result, ["x", "y"], "anything but an object is the result");
  });

  test("an answer nested past 1000 levels is refused rather than exhausting the stack", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    assert.throws(() => xmlDocument({ result: deep }), /deeper than 1000 levels/);
  });
});

for (const dialect of dialectsUnderTest()) {
  describe(`Table API in XML (Accept and Content-Type: application/xml) on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    let admin: ApiUser;
    before(async () => {
      server = await startTestInstance(dialect);
      user = await apiUser(server, "abel.tuter");
      admin = await apiUser(server, "admin");
    });
    after(() => server.close());

    test("a list is <response> with one <result> per record, one element per field; a reference is <link> and <value>", async () => {
      for (const text of ["first xml", "second xml"]) await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: text, caller_id: user.sysId } });
      const res = await xmlCall(server, "GET", `/api/now/table/incident?${q({ sysparm_query: "short_descriptionLIKExml^ORDERBYnumber", sysparm_fields: "number,short_description,caller_id,assigned_to" })}`, { token: user.token });
      assert.equal(res.status, 200, res.text);
      const results = list(xmlResponse(res).result) as any[];
      assert.deepEqual(results.map((r) => r.short_description), ["first xml", "second xml"]);
      assert.match(results[0].number, /^INC\d{7}$/);
      assert.deepEqual(results[0].caller_id, { link: `${server.url}/api/now/table/sys_user/${user.sysId}`, value: user.sysId });
      assert.equal(results[0].assigned_to, "", "an empty value is an empty element");
      assert.equal(res.headers.get("x-total-count"), "2", "the list headers are the same as in JSON");
      assert.ok(!res.text.includes("\n"), "one line, as the platform writes it");
    });

    test("display values: true, all and sysparm_exclude_reference_link shape the elements as they shape the JSON", async () => {
      const id = (await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: "shown", caller_id: user.sysId } })).body.result.sys_id;
      const one = async (params: Record<string, string>) => {
        const res = await xmlCall(server, "GET", `/api/now/table/incident/${id}?${q({ sysparm_fields: "caller_id,active", ...params })}`, { token: user.token });
        assert.equal(res.status, 200, res.text);
        return xmlResponse(res).result;
      };
      const json = async (params: Record<string, string>) => (await api(server, "GET", `/api/now/table/incident/${id}?${q({ sysparm_fields: "caller_id,active", ...params })}`, { token: user.token })).body.result;
      for (const params of [{}, { sysparm_display_value: "true" }, { sysparm_display_value: "all" }, { sysparm_exclude_reference_link: "true" }, { sysparm_display_value: "all", sysparm_exclude_reference_link: "true" }] as Record<string, string>[]) {
        assert.deepEqual(await one(params), await json(params), JSON.stringify(params));
      }
      assert.deepEqual((await one({ sysparm_display_value: "all" })).caller_id, { display_value: "abel.tuter Name", link: `${server.url}/api/now/table/sys_user/${user.sysId}`, value: user.sysId });
    });

    test("POST, PUT and PATCH take <request><entry>…</entry></request> or a root of fields, and answer a single <result>", async () => {
      const created = await xmlCall(server, "POST", "/api/now/table/incident", { token: user.token, body: `<request><entry><short_description>Printer &amp; scanner</short_description><priority>2</priority><caller_id>${user.sysId}</caller_id></entry></request>` });
      assert.equal(created.status, 201, created.text);
      const record = xmlResponse(created).result;
      assert.equal(record.short_description, "Printer & scanner");
      assert.equal(record.priority, "2");
      assert.equal(record.caller_id.value, user.sysId);
      assert.equal(created.headers.get("location"), `${server.url}/api/now/table/incident/${record.sys_id}`);
      const put = await xmlCall(server, "PUT", `/api/now/table/incident/${record.sys_id}`, { token: user.token, body: "<incident><state>2</state><description/></incident>" });
      assert.equal(put.status, 200, put.text);
      assert.equal(xmlResponse(put).result.state, "2");
      const patched = await xmlCall(server, "PATCH", `/api/now/v1/table/incident/${record.sys_id}`, { token: user.token, body: "<request><entry><short_description>patched</short_description></entry></request>", contentType: "text/xml; charset=utf-8" });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(xmlResponse(patched).result.short_description, "patched");
      assert.equal(xmlResponse(patched).result.sys_mod_count, "2");
      // Bodies and answers are negotiated apart: XML in, JSON out, and JSON in, XML out.
      const xmlIn = await xmlCall(server, "POST", "/api/now/table/incident", { token: user.token, accept: "application/json", body: "<request><entry><short_description>json back</short_description></entry></request>" });
      assert.equal(xmlIn.status, 201, xmlIn.text);
      assert.equal(xmlIn.body.result.short_description, "json back");
      const jsonIn = await xmlCall(server, "POST", "/api/now/table/incident", { token: user.token, body: JSON.stringify({ short_description: "xml back" }), contentType: "application/json" });
      assert.equal(xmlResponse(jsonIn).result.short_description, "xml back");
    });

    test("errors are <response><error><message/><detail/></error><status>failure</status></response>, with the JSON envelope's texts", async () => {
      const missing = await xmlCall(server, "GET", `/api/now/table/incident/${"0".repeat(32)}`, { token: user.token });
      assert.equal(missing.status, 404);
      assert.deepEqual(xmlResponse(missing), { error: { message: "No Record found", detail: "invalid_request: No Record found" }, status: "failure" });
      const none = await xmlCall(server, "GET", `/api/now/v1/table/incident?${q({ sysparm_query: "number=NOPE" })}`, { token: user.token });
      assert.equal(none.status, 404);
      assert.equal(xmlResponse(none).error.message, "No Record found");
      const unauthenticated = await xmlCall(server, "GET", "/api/now/table/incident", { token: "not-a-token" });
      assert.equal(unauthenticated.status, 401);
      assert.equal(xmlResponse(unauthenticated).error.message, "User Not Authenticated");
      const empty = await xmlCall(server, "GET", `/api/now/v2/table/incident?${q({ sysparm_query: "number=NOPE" })}`, { token: user.token });
      assert.equal(empty.status, 200);
      assert.deepEqual(xmlResponse(empty), {}, "no records, no <result>");
    });

    test("a bad XML body is a 400 in the answer's format and writes nothing: not well-formed, a DOCTYPE, several records, an unknown field", async () => {
      const before = await tableCounts(server.instance.store);
      const bodies: [string, RegExp][] = [
        ["<request><entry><short_description>open</entry></request>", /not well-formed XML at line 1, column 40/],
        // Cut short: the fault is where the text ends, not at line 1, column 1.
        ["<request><entry><short_description>a</short_description>", /not well-formed XML: the document ends at line 1, column 57 before <entry> is closed/],
        ["<request>\n  <entry>\n    <short_description>a</short_description>\n  </entry>\n", /not well-formed XML: the document ends at line 4, column 11 before <request> is closed/],
        [" \n ", /the XML body could not be read: it holds no XML element/],
        ['<!DOCTYPE r [<!ENTITY a "aaaa">]><request><entry><short_description>&a;</short_description></entry></request>', /DOCTYPE/],
        ["<request><entry><short_description>a</short_description></entry><entry><short_description>b</short_description></entry></request>", /several records/],
        ["<request><entry><no_such_field>x</no_such_field></entry></request>", /no_such_field/],
        ["<request><entry><short_description><value>nested</value></short_description></entry></request>", /short_description/],
      ];
      for (const [body, reason] of bodies) {
        const res = await xmlCall(server, "POST", "/api/now/table/incident", { token: user.token, body });
        assert.equal(res.status, 400, `${body}: ${res.text}`);
        const answer = xmlResponse(res);
        assert.equal(answer.status, "failure");
        assert.match(`${answer.error.message} ${answer.error.detail}`, reason);
        const inJson = await xmlCall(server, "POST", "/api/now/table/incident", { token: user.token, accept: "application/json", body });
        assert.equal(inJson.status, 400);
        assert.equal(inJson.body.status, "failure");
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
    });

    test("negotiation: q-values and order decide, JSON wins a tie and stays the default; an Accept with neither is 406 in JSON", async () => {
      const typeFor = async (accept: string | undefined) => {
        const res = await xmlCall(server, "GET", "/api/now/table/incident?sysparm_limit=1", { token: user.token, ...(accept === undefined ? {} : { accept }) });
        // The answer depends on Accept, so it says so to caches (RFC 9110 §12.5.5), JSON included.
        assert.match(res.headers.get("vary") ?? "", /\bAccept\b/i, `Vary for ${accept}`);
        return { status: res.status, type: (res.headers.get("content-type") ?? "").split(";")[0] };
      };
      const cases: [string, string][] = [
        ["application/json", "application/json"],
        ["*/*", "application/json"],
        ["application/*", "application/json"],
        ["application/json, application/xml", "application/json"],
        ["application/xml, application/json", "application/xml"],
        ["application/json;q=0.5, application/xml", "application/xml"],
        ["application/xml;q=0.5, application/json", "application/json"],
        ["text/xml", "text/xml"],
        ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"],
        // Media ranges: text/* takes text/xml; a JSON refused by q=0 leaves */* to XML.
        ["text/*", "text/xml"],
        ["application/json;q=0, */*", "application/xml"],
        ["application/json;q=0.5, application/*", "application/xml"],
      ];
      for (const [accept, type] of cases) assert.deepEqual(await typeFor(accept), { status: 200, type }, accept);
      const before = await tableCounts(server.instance.store);
      for (const accept of ["text/html", "application/json;q=0, application/xml;q=0", "text/csv", "*/*;q=0", "text/*, text/xml;q=0"]) {
        const res = await xmlCall(server, "POST", "/api/now/table/incident", { token: user.token, accept, body: "<request><entry><short_description>refused</short_description></entry></request>" });
        assert.equal(res.status, 406, accept);
        assert.match(res.body.error.message, /JSON or XML/);
      }
      assert.deepEqual(await tableCounts(server.instance.store), before);
      const whoami = await xmlCall(server, "GET", "/api/now/v1/whoami", { token: user.token });
      assert.equal(whoami.status, 406, "Portcullis's own APIs answer JSON only");
      for (const accept of ["text/*", "application/json;q=0, */*"]) assert.equal((await xmlCall(server, "GET", "/api/now/v1/whoami", { token: user.token, accept })).status, 406, accept);
      assert.equal((await xmlCall(server, "GET", "/api/now/v1/whoami", { token: user.token, accept: "text/html, */*;q=0.1" })).status, 200);
      const registry = await xmlCall(server, "POST", "/api/portcullis/registry/endpoints", { token: admin.token, accept: "application/json", body: "<request><entry><name>x</name></entry></request>" });
      assert.equal(registry.status, 415, "and read no XML");
      assert.match(registry.body.error.message, /Content-Type: application\/xml is not read here; send application\/json$/);
    });

    test("text is escaped and characters XML cannot carry are replaced, so every value parses back", async () => {
      const tricky = 'a <b> & "c" ]]> \'d\' \r\n\tend é 😀';
      const created = await api(server, "POST", "/api/now/table/incident", { token: user.token, body: { short_description: tricky.slice(0, 40), description: `${tricky} \u0001 \uFFFE` } });
      assert.equal(created.status, 201, created.text);
      const res = await xmlCall(server, "GET", `/api/now/table/incident/${created.body.result.sys_id}?sysparm_fields=short_description,description`, { token: user.token });
      const result = xmlResponse(res).result;
      assert.equal(result.short_description, tricky.slice(0, 40));
      assert.equal(result.description, `${tricky} \uFFFD \uFFFD`);
      assert.ok(res.text.includes("&#13;"), "a carriage return survives the parser's line-end normalization");
    });
  });
}
