import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

for (const dialect of dialectsUnderTest()) {
  describe(`Table API encoded queries and sysparm parameters on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let user: ApiUser;
    let counts: Record<string, number>;
    const list = (params: Record<string, string>, token = user.token) => api(server, "GET", `/api/now/table/incident?${q(params)}`, { token });
    /** The short descriptions a query finds, sorted. */
    const found = async (query: string) => {
      const res = await list({ sysparm_query: query, sysparm_fields: "short_description" });
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body.result.map((r: { short_description: string }) => r.short_description).sort();
    };

    before(async () => {
      server = await startTestInstance(dialect);
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      const seed = [
        { short_description: "Disk full on server", priority: "1", state: "1", caller_id: user.sysId, assigned_to: admin.sysId },
        { short_description: "Email down", priority: "2", state: "2", caller_id: admin.sysId, assigned_to: admin.sysId },
        { short_description: "Printer jam", priority: "3", state: "6", active: "false" },
        { short_description: "disk cleanup needed", priority: "4", state: "7", active: "false", assigned_to: user.sysId },
        { short_description: "VPN 100% broken_now", priority: "5", state: "1", description: "remote" },
        { short_description: "Caret ^ test", priority: "3", state: "2" },
      ];
      for (const body of seed) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: admin.token, body })).status, 201);
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no query wrote anything");
      await server.close();
    });

    const all = ["Caret ^ test", "Disk full on server", "Email down", "Printer jam", "VPN 100% broken_now", "disk cleanup needed"];
    const operatorCases: [string, string[]][] = [
      ["priority=1", ["Disk full on server"]],
      ["priority!=1", all.filter((s) => s !== "Disk full on server")],
      ["priority<3", ["Disk full on server", "Email down"]],
      ["priority<=2", ["Disk full on server", "Email down"]],
      ["priority>4", ["VPN 100% broken_now"]],
      ["priority>=4", ["VPN 100% broken_now", "disk cleanup needed"]],
      ["short_descriptionLIKEdisk", ["Disk full on server", "disk cleanup needed"]],
      ["short_descriptionNOT LIKEdisk", ["Caret ^ test", "Email down", "Printer jam", "VPN 100% broken_now"]],
      ["short_descriptionSTARTSWITHdisk", ["Disk full on server", "disk cleanup needed"]],
      ["short_descriptionENDSWITHDOWN", ["Email down"]],
      ["priorityIN1,5", ["Disk full on server", "VPN 100% broken_now"]],
      ["priorityNOT IN1,2,3", ["VPN 100% broken_now", "disk cleanup needed"]],
      ["caller_idISEMPTY", ["Caret ^ test", "Printer jam", "VPN 100% broken_now", "disk cleanup needed"]],
      ["caller_idISNOTEMPTY", ["Disk full on server", "Email down"]],
      ["descriptionISNOTEMPTY", ["VPN 100% broken_now"]],
      ["descriptionISEMPTY", all.filter((s) => s !== "VPN 100% broken_now")],
      ["priorityBETWEEN2@3", ["Caret ^ test", "Email down", "Printer jam"]],
      ["caller_idSAMEASassigned_to", ["Email down"]],
      ["caller_idNSAMEASassigned_to", ["Disk full on server"]],
      ["active=false", ["Printer jam", "disk cleanup needed"]],
      ["active=true^priority>1", ["Caret ^ test", "Email down", "VPN 100% broken_now"]],
      ["priority=1^ORpriority=5", ["Disk full on server", "VPN 100% broken_now"]],
      ["active=true^priority=1^ORpriority=5^state=1", ["Disk full on server", "VPN 100% broken_now"]],
      ["priority=1^NQstate=7", ["Disk full on server", "disk cleanup needed"]],
      ["short_descriptionLIKECaret ^^ test", ["Caret ^ test"]],
      ["short_descriptionLIKE%", ["VPN 100% broken_now"]],
      ["short_descriptionLIKE_", ["VPN 100% broken_now"]],
      ["sys_created_onBETWEEN2000-01-01 00:00:00@2999-12-31 23:59:59", all],
      ["sys_created_on<2000-01-01 00:00:00", []],
      ["short_description=Email down^EQ", ["Email down"]],
      ["short_description=x' OR '1'='1", []],
      ["sys_id=1); DROP TABLE incident;--", []],
      ["", all],
    ];
    for (const [query, expected] of operatorCases) {
      test(`sysparm_query ${JSON.stringify(query)}`, async () => {
        assert.deepEqual(await found(query), [...expected].sort());
      });
    }

    test("a reference compares by sys_id", async () => {
      assert.deepEqual(await found(`caller_id=${user.sysId}`), ["Disk full on server"]);
    });

    test("a text operator on a reference matches the referenced record's display value, as on the platform", async () => {
      // admin's name is "System Administrator", abel.tuter's "abel.tuter Name".
      assert.deepEqual(await found("caller_idSTARTSWITHsystem"), ["Email down"]);
      assert.deepEqual(await found("caller_idLIKEadmin"), ["Email down"]);
      assert.deepEqual(await found("caller_idENDSWITHname"), ["Disk full on server"]);
      assert.deepEqual(await found("caller_idNOT LIKEadmin"), all.filter((s) => s !== "Email down"));
      assert.deepEqual(await found(`caller_idSTARTSWITH${admin.sysId.slice(0, 8)}`), [], "not the sys_id's text");
      const aggregate = await api(server, "GET", `/api/now/stats/incident?${q({ sysparm_count: "true", sysparm_query: "caller_idLIKEadministrator" })}`, { token: user.token });
      assert.equal(aggregate.body.result.stats.count, "1");
    });

    test("ORDERBY and ORDERBYDESC sort; sys_id breaks ties", async () => {
      const asc = await list({ sysparm_query: "ORDERBYpriority^ORDERBYshort_description", sysparm_fields: "short_description" });
      assert.deepEqual(asc.body.result.map((r: any) => r.short_description), ["Disk full on server", "Email down", "Caret ^ test", "Printer jam", "disk cleanup needed", "VPN 100% broken_now"]);
      const desc = await list({ sysparm_query: "active=true^ORDERBYDESCpriority", sysparm_fields: "priority" });
      assert.deepEqual(desc.body.result.map((r: any) => r.priority), ["5", "3", "2", "1"]);
      // Records saved in the same second: "newest first" is newest first among them too (sys_id is time-ordered).
      const all = (await list({ sysparm_query: "ORDERBYsys_id", sysparm_fields: "sys_id" })).body.result.map((r: any) => r.sys_id);
      const sameSecond = all.slice(0, 3);
      await server.instance.store.db.updateTable("incident").set({ sys_created_on: "2026-01-01 00:00:00" }).where("sys_id", "in", sameSecond).execute();
      const newest = await list({ sysparm_query: "sys_created_on=2026-01-01 00:00:00^ORDERBYDESCsys_created_on", sysparm_fields: "sys_id" });
      assert.deepEqual(newest.body.result.map((r: any) => r.sys_id), [...sameSecond].reverse());
      const oldest = await list({ sysparm_query: "sys_created_on=2026-01-01 00:00:00^ORDERBYsys_created_on", sysparm_fields: "sys_id" });
      assert.deepEqual(oldest.body.result.map((r: any) => r.sys_id), sameSecond);
    });

    test("ORDERBY on text ignores case, as the platform's collation does", async () => {
      const asc = await list({ sysparm_query: "ORDERBYshort_description", sysparm_fields: "short_description" });
      const caseless = ["Caret ^ test", "disk cleanup needed", "Disk full on server", "Email down", "Printer jam", "VPN 100% broken_now"];
      assert.deepEqual(asc.body.result.map((r: any) => r.short_description), caseless);
      const desc = await list({ sysparm_query: "ORDERBYDESCshort_description", sysparm_fields: "short_description" });
      assert.deepEqual(desc.body.result.map((r: any) => r.short_description), [...caseless].reverse());
    });

    const badQueries: [string, number, RegExp][] = [
      ["nofield=1", 400, /no field "nofield"/],
      ["priority=urgent", 400, /whole number/],
      ["short_description", 400, /no operator/],
      ["priorityLIKE1", 400, /text fields/],
      ["^ORpriority=1", 400, /must follow/],
      ["GROUPBYpriority", 400, /GROUPBY/],
      ["short_description.name=x", 400, /only a reference can be dot-walked/],
      ["ORDERBYnofield", 400, /no field/],
      ["ORDERBY", 400, /order by/],
      ["priorityBETWEEN1", 400, /BETWEEN/],
      ["priorityBETWEEN@", 400, /BETWEEN takes two values/],
      ["priorityBETWEEN1@", 400, /BETWEEN takes two values/],
      ["priorityIN", 400, /at least one/],
      ["prioritySAMEASshort_description", 400, /compared/],
      ["caller_idSAMEASnofield", 400, /no field/],
      ["priorityISEMPTYx", 400, /no value/],
      ['short_description"=1', 400, /no operator/],
      ["Priority=1", 400, /field name/],
      ["priority=1;DROP TABLE incident", 400, /whole number/],
      ["active=yes", 400, /true or false/],
      ["sys_created_on>yesterday", 400, /YYYY-MM-DD/],
      ["sys_created_on>2026-02-30 10:00:00", 400, /YYYY-MM-DD/],
      ["sys_created_on>2026-04-31 00:00:00", 400, /YYYY-MM-DD/],
      ["sys_created_on<2026-02-28 24:00:00", 400, /YYYY-MM-DD/],
    ];
    for (const [query, status, message] of badQueries) {
      test(`sysparm_query ${JSON.stringify(query)} is a ${status} naming the problem`, async () => {
        const res = await list({ sysparm_query: query });
        assert.equal(res.status, status, res.text);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, message);
      });
    }

    test("secret fields cannot be queried or selected, by anyone", async () => {
      for (const params of <Record<string, string>[]>[{ sysparm_query: "password_hashISNOTEMPTY" }, { sysparm_query: "password_hashSTARTSWITH$argon2" }, { sysparm_fields: "user_name,password_hash" }, { sysparm_query: "ORDERBYpassword_hash" }]) {
        const res = await api(server, "GET", `/api/now/table/sys_user?${q(params)}`, { token: admin.token });
        assert.equal(res.status, 400, JSON.stringify(params));
        assert.doesNotMatch(res.text, /argon2/);
      }
      const everything = await api(server, "GET", "/api/now/table/sys_user", { token: admin.token });
      assert.equal(everything.status, 200);
      assert.doesNotMatch(everything.text, /password_hash|argon2/);
    });

    test("role-masked fields are left out for others, and filtering on them is 403", async () => {
      const mine = await api(server, "GET", `/api/now/table/sys_user?${q({ sysparm_query: "user_name=abel.tuter" })}`, { token: user.token });
      assert.equal(mine.body.result.length, 1);
      assert.equal(mine.body.result[0].failed_attempts, undefined);
      const named = await api(server, "GET", `/api/now/table/sys_user?${q({ sysparm_fields: "user_name,failed_attempts" })}`, { token: user.token });
      assert.equal(named.status, 200);
      assert.ok(named.body.result.every((r: object) => Object.keys(r).join() === "user_name"));
      const filtered = await api(server, "GET", `/api/now/table/sys_user?${q({ sysparm_query: "failed_attempts>0" })}`, { token: user.token });
      assert.equal(filtered.status, 403);
      const asAdmin = await api(server, "GET", `/api/now/table/sys_user?${q({ sysparm_query: "user_name=abel.tuter" })}`, { token: admin.token });
      assert.equal(asAdmin.body.result[0].failed_attempts, "0");
    });

    test("sysparm_fields picks fields in the order asked; unknown fields and walks through a non-reference are 400", async () => {
      const res = await list({ sysparm_fields: "priority, number", sysparm_limit: "1" });
      assert.deepEqual(Object.keys(res.body.result[0]), ["priority", "number"]);
      assert.equal((await list({ sysparm_fields: "number,nofield" })).status, 400);
      assert.equal((await list({ sysparm_fields: "short_description.name" })).status, 400);
      assert.equal((await list({ sysparm_fields: "number) from sys_user--" })).status, 400);
    });

    test("sysparm_limit and sysparm_offset page through; bad values are 400", async () => {
      const page = await list({ sysparm_query: "ORDERBYpriority^ORDERBYshort_description", sysparm_fields: "short_description", sysparm_limit: "2", sysparm_offset: "2" });
      assert.deepEqual(page.body.result.map((r: any) => r.short_description), ["Caret ^ test", "Printer jam"]);
      for (const params of <Record<string, string>[]>[{ sysparm_limit: "0" }, { sysparm_limit: "-1" }, { sysparm_limit: "ten" }, { sysparm_offset: "-5" }, { sysparm_offset: "1e3" }]) {
        assert.equal((await list(params)).status, 400, JSON.stringify(params));
      }
      const huge = await list({ sysparm_offset: "2147483648" });
      assert.equal(huge.status, 400);
      assert.match(huge.body.error.message, /sysparm_offset must be a whole number from 0 to 999999999/, "the message says the upper bound too");
    });

    test("X-Total-Count and Link first/prev/next/last come from the public URL and keep the query", async () => {
      const res = await api(server, "GET", `/api/now/v2/table/incident?${q({ sysparm_query: "active=true", sysparm_limit: "1", sysparm_offset: "1" })}`, { token: user.token });
      assert.equal(res.headers.get("x-total-count"), "4");
      const links: Record<string, URL> = Object.fromEntries((res.headers.get("link") ?? "").split(",").map((part) => {
        const [, url, rel] = /^<([^>]+)>;rel="(\w+)"$/.exec(part)!;
        return [rel, new URL(url!)];
      }));
      assert.deepEqual(Object.keys(links), ["first", "prev", "next", "last"]);
      for (const url of Object.values(links)) {
        assert.equal(url.origin + url.pathname, `${server.url}/api/now/v2/table/incident`);
        assert.equal(url.searchParams.get("sysparm_query"), "active=true");
        assert.equal(url.searchParams.get("sysparm_limit"), "1");
      }
      assert.deepEqual([links.first!, links.prev!, links.next!, links.last!].map((u) => u.searchParams.get("sysparm_offset")), ["0", "0", "2", "3"]);
      const lastPage = await list({ sysparm_query: "active=true", sysparm_limit: "2", sysparm_offset: "2" });
      assert.doesNotMatch(lastPage.headers.get("link")!, /rel="next"/);
    });

    test("following Link rel=next, as pysnow does, yields every record exactly once", async () => {
      let url: string | null = `${server.base}/api/now/table/incident?sysparm_limit=4&sysparm_fields=sys_id`;
      const seen: string[] = [];
      for (let pages = 0; url && pages < 10; pages++) {
        const res = await api(server, "GET", url.slice(server.url.length), { token: user.token });
        seen.push(...res.body.result.map((r: { sys_id: string }) => r.sys_id));
        url = /<([^>]+)>;rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
      }
      assert.equal(seen.length, 6);
      assert.equal(new Set(seen).size, 6);
    });

    test("with an offset that is not a multiple of the limit, rel=last is the page following rel=next ends on, and rel=prev stops at 0", async () => {
      const offsets = (res: { headers: Headers }) =>
        Object.fromEntries([...(res.headers.get("link") ?? "").matchAll(/<([^>]+)>;rel="(\w+)"/g)].map(([, url, rel]) => [rel, Number(new URL(url!).searchParams.get("sysparm_offset"))]));
      const ordered = { sysparm_query: "ORDERBYsys_id", sysparm_fields: "sys_id" };
      const everyId = (await list(ordered)).body.result.map((r: { sys_id: string }) => r.sys_id);
      assert.equal(everyId.length, 6);

      const start = await list({ ...ordered, sysparm_limit: "4", sysparm_offset: "1" });
      assert.deepEqual(offsets(start), { first: 0, prev: 0, next: 5, last: 5 }, "the pages from offset 1 start at 1 and 5, not at 4");
      let url: string | null = `${server.base}/api/now/table/incident?${q({ ...ordered, sysparm_limit: "4", sysparm_offset: "1" })}`;
      let lastVisited = -1;
      const seen: string[] = [];
      for (let pages = 0; url && pages < 10; pages++) {
        const res = await api(server, "GET", url.slice(server.url.length), { token: user.token });
        lastVisited = Number(new URL(url).searchParams.get("sysparm_offset"));
        seen.push(...res.body.result.map((r: { sys_id: string }) => r.sys_id));
        url = /<([^>]+)>;rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
      }
      assert.equal(lastVisited, offsets(start).last, "following next stops on the page rel=last named");
      assert.deepEqual(seen, everyId.slice(1), "every record from the offset on, each once");

      // Past the end, last and prev step back by the limit from the offset asked for, to the page holding the final records.
      assert.deepEqual(offsets(await list({ ...ordered, sysparm_limit: "4", sysparm_offset: "9" })), { first: 0, prev: 5, last: 5 });
      assert.deepEqual(offsets(await list({ ...ordered, sysparm_limit: "10", sysparm_offset: "7" })), { first: 0, prev: 0, last: 0 }, "no page on 7's steps holds a record: the first one does");
      assert.deepEqual(offsets(await list({ ...ordered, sysparm_limit: "4", sysparm_offset: "4" })), { first: 0, prev: 0, last: 4 }, "an offset on the limit's steps is unchanged");
    });

    test("a PySNC-shaped request: display_value=all, no links, no Link header, integer X-Total-Count, ORDERBYsys_id", async () => {
      const res = await list({
        sysparm_query: "active=true^ORDERBYsys_id",
        sysparm_display_value: "all",
        sysparm_exclude_reference_link: "true",
        sysparm_suppress_pagination_header: "true",
        sysparm_fields: "sys_id,number,caller_id,priority",
        sysparm_limit: "2",
        sysparm_offset: "0",
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("link"), null);
      assert.match(res.headers.get("x-total-count") ?? "", /^4$/);
      const ids = res.body.result.map((r: any) => r.sys_id.value);
      assert.deepEqual(ids, [...ids].sort());
      for (const r of res.body.result) {
        for (const value of Object.values(r)) assert.deepEqual(Object.keys(value as object).sort(), ["display_value", "value"]);
      }
    });

    test("the Link header ignores a forged Host", async () => {
      const link = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${server.base}/api/now/table/incident?sysparm_limit=1`, { headers: { host: "evil.example", authorization: `Bearer ${user.token}` } }, (res) => {
          res.resume();
          resolve(String(res.headers.link));
        });
        req.on("error", reject);
        req.end();
      });
      assert.doesNotMatch(link, /evil/);
      assert.match(link, new RegExp(`^<${server.url}/`));
    });

    test("sysparm_suppress_pagination_header drops Link but keeps an integer X-Total-Count; sysparm_no_count drops the count", async () => {
      const suppressed = await list({ sysparm_suppress_pagination_header: "true", sysparm_limit: "1" });
      assert.equal(suppressed.headers.get("link"), null);
      assert.equal(suppressed.headers.get("x-total-count"), "6");
      const noCount = await list({ sysparm_no_count: "true", sysparm_limit: "1" });
      assert.equal(noCount.headers.get("x-total-count"), null);
      assert.match(noCount.headers.get("link")!, /rel="next"/);
      const empty = await list({ sysparm_query: "priority=9" });
      assert.equal(empty.headers.get("x-total-count"), "0");
      assert.deepEqual(empty.body.result, []);
    });

    test("sysparm_display_value true, all, and sysparm_exclude_reference_link shape values as PySNC reads them", async () => {
      const query = { sysparm_query: "priority=1", sysparm_fields: "sys_id,priority,caller_id,active,short_description" };
      const plain = (await list(query)).body.result[0];
      assert.equal(plain.priority, "1");
      assert.deepEqual(plain.caller_id, { link: `${server.url}/api/now/table/sys_user/${user.sysId}`, value: user.sysId });
      const shown = (await list({ ...query, sysparm_display_value: "true" })).body.result[0];
      assert.equal(shown.priority, "1 - Critical");
      // The platform keeps the link beside the display value; the bare string needs sysparm_exclude_reference_link.
      assert.deepEqual(shown.caller_id, { display_value: "abel.tuter Name", link: `${server.url}/api/now/table/sys_user/${user.sysId}` });
      const shownBare = (await list({ ...query, sysparm_display_value: "true", sysparm_exclude_reference_link: "true" })).body.result[0];
      assert.equal(shownBare.caller_id, "abel.tuter Name");
      const shownEmpty = (await list({ sysparm_query: "priority=5", sysparm_fields: "caller_id", sysparm_display_value: "true" })).body.result[0];
      assert.equal(shownEmpty.caller_id, "");
      assert.equal(shown.active, "true");
      const both = (await list({ ...query, sysparm_display_value: "all" })).body.result[0];
      assert.deepEqual(both.priority, { display_value: "1 - Critical", value: "1" });
      assert.deepEqual(both.caller_id, { display_value: "abel.tuter Name", link: `${server.url}/api/now/table/sys_user/${user.sysId}`, value: user.sysId });
      const pysnc = (await list({ ...query, sysparm_display_value: "all", sysparm_exclude_reference_link: "true" })).body.result[0];
      assert.deepEqual(pysnc.caller_id, { display_value: "abel.tuter Name", value: user.sysId });
      assert.deepEqual(pysnc.sys_id, { display_value: plain.sys_id, value: plain.sys_id });
      const bare = (await list({ ...query, sysparm_exclude_reference_link: "true" })).body.result[0];
      assert.equal(bare.caller_id, user.sysId);
      const empty = (await list({ sysparm_query: "priority=5", sysparm_fields: "caller_id", sysparm_display_value: "all" })).body.result[0];
      assert.deepEqual(empty.caller_id, { display_value: "", value: "" });
    });

    test("sysparm_view is accepted; bad flag values and repeated parameters are 400", async () => {
      assert.equal((await list({ sysparm_view: "mobile" })).status, 200);
      for (const params of <Record<string, string>[]>[{ sysparm_display_value: "yes" }, { sysparm_exclude_reference_link: "1" }, { sysparm_no_count: "maybe" }, { sysparm_suppress_pagination_header: "on" }, { sysparm_input_display_value: "x" }]) {
        assert.equal((await list(params)).status, 400, JSON.stringify(params));
      }
      const repeated = await api(server, "GET", "/api/now/table/incident?sysparm_limit=1&sysparm_limit=2", { token: user.token });
      assert.equal(repeated.status, 400);
    });

    test("sysparm_fields and sysparm_display_value shape a single record and write responses too", async () => {
      const one = (await list({ sysparm_query: "priority=1", sysparm_fields: "sys_id" })).body.result[0].sys_id;
      const res = await api(server, "GET", `/api/now/table/incident/${one}?${q({ sysparm_fields: "priority,caller_id", sysparm_display_value: "true" })}`, { token: user.token });
      assert.deepEqual(res.body.result, { priority: "1 - Critical", caller_id: { display_value: "abel.tuter Name", link: `${server.url}/api/now/table/sys_user/${user.sysId}` } });
    });
  });
}
