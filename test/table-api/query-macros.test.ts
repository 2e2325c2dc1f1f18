import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Kysely } from "kysely";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser, q } from "../support/table-api.ts";

/**
 * Date macros, SAMEAS/NSAMEAS and ISEMPTY on references, end to end: rows at known
 * timestamps, and a server whose clock is fixed at a Tuesday, 2026-03-31 13:45:30 UTC.
 */
const now = new Date("2026-03-31T13:45:30Z");
const rows: Record<string, string> = {
  today: "2026-03-31 08:00:00",
  lastHour: "2026-03-31 12:50:00",
  yesterdayEnd: "2026-03-30 23:59:59",
  yesterdayStart: "2026-03-30 00:00:00",
  weekAgo: "2026-03-24 12:00:00",
  lastMonth: "2026-02-15 10:00:00",
  lastYear: "2025-12-31 23:59:59",
};

for (const dialect of dialectsUnderTest()) {
  describe(`Table API date macros and field comparisons on ${dialect.name}`, () => {
    let server: TestInstance;
    let user: ApiUser;
    let admin: ApiUser;
    let counts: Record<string, number>;
    const found = async (query: string) => {
      const res = await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: query, sysparm_fields: "short_description" })}`, { token: user.token });
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body.result.map((r: { short_description: string }) => r.short_description).sort();
    };

    before(async () => {
      server = await startTestInstance(dialect, {}, { now: () => new Date(now) });
      admin = await apiUser(server, "admin");
      user = await apiUser(server, "abel.tuter");
      const db = server.instance.store.db as unknown as Kysely<any>;
      for (const [name, stamp] of Object.entries(rows)) {
        const res = await api(server, "POST", "/api/now/table/incident", { token: admin.token, body: { short_description: name, priority: name === "today" ? "1" : "3", state: name === "today" ? "1" : "2", caller_id: user.sysId, ...(name.startsWith("yesterday") ? { assigned_to: user.sysId } : name === "weekAgo" ? { assigned_to: admin.sysId } : {}) } });
        assert.equal(res.status, 201, res.text);
        // Records get the real time on insert; put them where the test needs them.
        await db.updateTable("incident").set({ sys_created_on: stamp, sys_updated_on: name === "lastYear" ? "2026-01-02 00:00:00" : stamp }).where("sys_id", "=", res.body.result.sys_id).execute();
      }
      // A reference holding "" (as rows loaded by other means may) counts as empty.
      await db.updateTable("incident").set({ caller_id: "" }).where("short_description", "=", "lastMonth").execute();
      await db.updateTable("incident").set({ caller_id: null }).where("short_description", "=", "lastYear").execute();
      counts = await tableCounts(server.instance.store);
    });
    after(async () => {
      assert.deepEqual(await tableCounts(server.instance.store), counts, "no query wrote anything");
      await server.close();
    });

    const cases: [string, string[]][] = [
      ["sys_created_on>=javascript:gs.beginningOfToday()", ["lastHour", "today"]],
      ["sys_created_on<=javascript:gs.endOfToday()", Object.keys(rows)],
      ["sys_created_onBETWEENjavascript:gs.beginningOfYesterday()@javascript:gs.endOfYesterday()", ["yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onBETWEENjavascript:gs.daysAgoStart(7)@javascript:gs.endOfToday()", ["lastHour", "today", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onBETWEENjavascript:gs.daysAgoStart(7)@javascript:gs.daysAgoEnd(7)", ["weekAgo"]],
      ["sys_created_on<javascript:gs.daysAgo(7)", ["lastMonth", "lastYear", "weekAgo"]],
      ["sys_created_on>javascript:gs.hoursAgoStart(1)", ["lastHour"]],
      ["sys_created_on>=javascript:gs.minutesAgoStart(60)", ["lastHour"]],
      ["sys_created_on>=javascript:gs.beginningOfThisWeek()", ["lastHour", "today", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onBETWEENjavascript:gs.beginningOfLastWeek()@javascript:gs.endOfLastWeek()", ["weekAgo"]],
      ["sys_created_onBETWEENjavascript:gs.beginningOfLastMonth()@javascript:gs.endOfLastMonth()", ["lastMonth"]],
      ["sys_created_on>=javascript:gs.beginningOfThisMonth()^sys_created_on<=javascript:gs.endOfThisMonth()", ["lastHour", "today", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_on<javascript:gs.beginningOfThisYear()", ["lastYear"]],
      ["sys_created_onBETWEENjavascript:gs.beginningOfThisYear()@javascript:gs.endOfThisYear()^priority=3", ["lastHour", "lastMonth", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_on>=javascript:gs.beginningOfToday()^ORsys_created_on<javascript:gs.beginningOfThisYear()", ["lastHour", "lastYear", "today"]],
      // "on" and "not on" as the platform's list filter writes them: a label, then the bounds.
      ["sys_created_onONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()", ["lastHour", "today"]],
      ["sys_created_onONYesterday@javascript:gs.beginningOfYesterday()@javascript:gs.endOfYesterday()", ["yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onONThis week@javascript:gs.beginningOfThisWeek()@javascript:gs.endOfThisWeek()", ["lastHour", "today", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onONLast 7 days@javascript:gs.daysAgoStart(7)@javascript:gs.daysAgoEnd(0)", ["lastHour", "today", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onONThis month@javascript:gs.beginningOfThisMonth()@javascript:gs.endOfThisMonth()", ["lastHour", "today", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onONLast year@javascript:gs.beginningOfLastYear()@javascript:gs.endOfLastYear()^ORsys_created_onONLast month@javascript:gs.beginningOfLastMonth()@javascript:gs.endOfLastMonth()", ["lastMonth", "lastYear"]],
      ["sys_created_onONLast 7 days@javascript:gs.beginningOfLast7Days()@javascript:gs.endOfLast7Days()", ["lastHour", "today", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["sys_created_onONLast hour@javascript:gs.beginningOfLastHour()@javascript:gs.endOfLastHour()", ["lastHour"]],
      ["sys_created_onONLast quarter@javascript:gs.beginningOfLastQuarter()@javascript:gs.endOfLastQuarter()", ["lastYear"]],
      ["sys_created_onNOTONThis month@javascript:gs.beginningOfThisMonth()@javascript:gs.endOfThisMonth()", ["lastMonth", "lastYear"]],
      ["sys_created_onON2026-03-24@2026-03-24 00:00:00@2026-03-24 23:59:59", ["weekAgo"]],
      ["sys_created_onON2026-03-24@javascript:gs.dateGenerate('2026-03-24','start')@javascript:gs.dateGenerate('2026-03-24','end')", ["weekAgo"]],
      ["sys_created_onBETWEENjavascript:gs.dateGenerate('2026-03-30','00:00:00')@javascript:gs.dateGenerate('2026-03-31','08:00:00')", ["today", "yesterdayEnd", "yesterdayStart"]],
      ['sys_created_onBETWEENjavascript:gs.dateGenerate("2026-03-30 23:59:59")@javascript:gs.dateGenerate("2026-03-31 12:50:00")', ["lastHour", "today", "yesterdayEnd"]],
      ["sys_created_onSAMEASsys_updated_on", Object.keys(rows).filter((r) => r !== "lastYear")],
      ["sys_created_onNSAMEASsys_updated_on", ["lastYear"]],
      ["prioritySAMEASstate", ["today"]],
      ["priorityNSAMEASstate", Object.keys(rows).filter((r) => r !== "today")],
      ["caller_idSAMEASassigned_to", ["yesterdayEnd", "yesterdayStart"]],
      ["caller_idNSAMEASassigned_to", ["weekAgo"]],
      ["caller_idISEMPTY", ["lastMonth", "lastYear"]],
      // "My records": gs.getUserID() and the dynamic filter option Me are the caller (abel.tuter) here.
      ["caller_id=javascript:gs.getUserID()", Object.keys(rows).filter((r) => r !== "lastMonth" && r !== "lastYear")],
      ["assigned_to=javascript:gs.getUserID()", ["yesterdayEnd", "yesterdayStart"]],
      ["assigned_toDYNAMIC90d1921e5f510100a9ad2572f2b477fe", ["yesterdayEnd", "yesterdayStart"]],
      ["assigned_to!=javascript:gs.getUserID()^assigned_toISNOTEMPTY", ["weekAgo"]],
      ["assigned_toINjavascript:gs.getUserID(),0123456789abcdef0123456789abcdef", ["yesterdayEnd", "yesterdayStart"]],
      ["caller_id=javascript:gs.getUserID()^NQassigned_toDYNAMIC90d1921e5f510100a9ad2572f2b477fe^priority=1", Object.keys(rows).filter((r) => r !== "lastMonth" && r !== "lastYear")],
      // GlideUser's getID() is the same sys_id; the user's name is their user_name.
      ["assigned_to=javascript:gs.getUser().getID()", ["yesterdayEnd", "yesterdayStart"]],
      ["assigned_toINjavascript:gs.getUser().getID(),0123456789abcdef0123456789abcdef", ["yesterdayEnd", "yesterdayStart"]],
      ["caller_id.user_name=javascript:gs.getUserName()", Object.keys(rows).filter((r) => r !== "lastMonth" && r !== "lastYear")],
      ["assigned_to.user_name=javascript:gs.getUser().getName()", ["yesterdayEnd", "yesterdayStart"]],
      ["assigned_to.user_name!=javascript:gs.getUserName()^assigned_toISNOTEMPTY", ["weekAgo"]],
      // "is anything" and "is empty string", as the condition builder writes them.
      ["caller_idANYTHING", Object.keys(rows)],
      ["caller_id.nameANYTHING^priority=3", Object.keys(rows).filter((r) => r !== "today")],
      ["caller_idEMPTYSTRING", ["lastMonth"]],
      // A walk that arrives nowhere (lastMonth's and lastYear's empty caller) counts as empty: not on any day.
      ["caller_id.sys_created_onNOTONany time@javascript:gs.yearsAgo(5)@javascript:gs.yearsAgo(-100)^priority=3", ["lastMonth", "lastYear"]],
      ["caller_idISNOTEMPTY", ["lastHour", "today", "weekAgo", "yesterdayEnd", "yesterdayStart"]],
      ["assigned_toISEMPTY^caller_idISNOTEMPTY", ["lastHour", "today"]],
    ];
    for (const [query, expected] of cases) {
      test(`sysparm_query ${JSON.stringify(query)}`, async () => {
        assert.deepEqual(await found(query), [...expected].sort());
      });
    }

    const refused: [string, RegExp][] = [
      ["sys_created_on>javascript:gs.getUserID()", /javascript:gs\.getUserID\(\) is the caller's sys_id, a value for =, !=, IN or NOT IN, not for >/],
      ["caller_id=javascript:gs.getUser().getEmail()", /javascript:gs\.getUser\(\)\.getEmail\(\)/],
      ["sys_created_by>javascript:gs.getUserName()", /javascript:gs\.getUserName\(\) is the caller's user_name, a value for =, !=, IN or NOT IN, not for >/],
      ["sys_created_bySTARTSWITHjavascript:gs.getUser().getName()", /gs\.getUser\(\)\.getName\(\) is the caller's user_name/],
      ["sys_created_on>javascript:alert(1)", /javascript:alert\(1\)/],
      ["sys_created_on>javascript:gs.daysAgo()", /takes one whole number/],
      ["sys_created_onBETWEENjavascript:gs.daysAgoStart(7)@javascript:gs.endOfToday(1)", /takes no argument/],
      ["sys_created_on>javascript:gs.constructor.constructor('return process')()", /constructor/],
      ["priority>javascript:gs.beginningOfToday()", /whole number/],
      ["sys_created_on<javascript:gs.dateGenerate('2026-02-30','start')", /gs\.dateGenerate\('2026-02-30','start'\).*takes a date/],
      ["priorityEMPTYSTRING", /EMPTYSTRING applies to text fields; priority is integer/],
      ["caller_idANYTHINGx", /ANYTHING takes no value/],
      ["caller_idINSTANCEOFsys_user", /INSTANCEOF is a platform operator this instance does not support/],
      ["stateVALCHANGES", /VALCHANGES is a platform operator this instance does not support; it tests a change being saved/],
      ["stateCHANGESTO2", /CHANGESTO is a platform operator/],
      ["sys_created_onRELATIVEGT@hour@ago@3", /RELATIVEGT is a platform operator .*use > with a date macro/],
      ["sys_created_onRELATIVEEE@dayofweek@ago@3", /RELATIVEEE is a platform operator .*use ON/],
      ["sys_created_onDATEPARTMonday@javascript:gs.datePart('dayofweek','monday','EE')", /DATEPART is a platform operator/],
      ["sys_created_onMORETHANsys_updated_on@hour@after@1", /MORETHAN is a platform operator/],
      ["priorityGT_FIELDstate", /GT_FIELD is a platform operator .*SAMEAS and NSAMEAS/],
      ["caller_idDYNAMICd6435e965f510100a9ad2572f2b47744", /DYNAMIC is a platform operator this instance does not support; of the dynamic filter options only Me/],
      ["short_descriptionLIKE", /LIKE needs a value: "short_descriptionLIKE"/],
      ["active=true^short_descriptionSTARTSWITH", /STARTSWITH needs a value/],
      ["short_descriptionNOT LIKE^ORpriority=1", /NOT LIKE needs a value/],
      ["short_description>", /> needs a value/],
      ["short_descriptionMATCH_RGX.*disk.*", /MATCH_RGX is a platform operator .*instead of a regular expression/],
      ["active=true^RLQUERYsys_user_has_role.user,>=1^role=x^ENDRLQUERY", /related-list queries \(RLQUERY…\^ENDRLQUERY\) are not supported/],
      ["active=true^NQSUBQUERYsys_id,caller_id,incident^ENDSUBQUERY", /subqueries \(SUBQUERY…\^ENDSUBQUERY\) are not supported/],
      ["GOTOnumber>=INC0010001", /GOTO \(the list's Go to search\) is not supported/],
      ["sys_created_onONToday", /ON takes a label and the two date-times that bound it/],
      ["sys_created_onONToday@javascript:gs.beginningOfToday()", /ON takes a label/],
      ["sys_created_onNOTONToday@@javascript:gs.endOfToday()", /NOTON takes a label/],
      ["priorityONToday@javascript:gs.beginningOfToday()@javascript:gs.endOfToday()", /ON applies to date-time fields; priority is integer/],
      ["sys_created_onONToday@javascript:gs.getUserID()@javascript:gs.endOfToday()", /gs\.getUserID\(\)/],
    ];
    for (const [query, message] of refused) {
      test(`sysparm_query ${JSON.stringify(query)} is a 400 naming it`, async () => {
        const res = await api(server, "GET", `/api/now/table/incident?${q({ sysparm_query: query })}`, { token: user.token });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.status, "failure");
        assert.match(res.body.error.message, message);
      });
    }

    test("a name-value pair takes gs.getUserID() too, as the caller of each request: ?assigned_to=javascript:gs.getUserID()", async () => {
      const mine = async (token: string) => {
        const res = await api(server, "GET", `/api/now/table/incident?${q({ assigned_to: "javascript:gs.getUserID()", sysparm_fields: "short_description" })}`, { token });
        assert.equal(res.status, 200, res.text);
        return res.body.result.map((r: { short_description: string }) => r.short_description).sort();
      };
      assert.deepEqual(await mine(user.token), ["yesterdayEnd", "yesterdayStart"]);
      assert.deepEqual(await mine(admin.token), ["weekAgo"], "the same URL, another caller: their records");
    });

    test("a name-value pair takes gs.getUserName() as the caller's user_name: ?sys_created_by=javascript:gs.getUserName()", async () => {
      const created = async (token: string) => {
        const res = await api(server, "GET", `/api/now/table/incident?${q({ sys_created_by: "javascript:gs.getUserName()", sysparm_fields: "short_description" })}`, { token });
        assert.equal(res.status, 200, res.text);
        return res.body.result.map((r: { short_description: string }) => r.short_description).sort();
      };
      assert.deepEqual(await created(admin.token), Object.keys(rows).sort(), "admin created every row");
      assert.deepEqual(await created(user.token), []);
    });
  });
}
