import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";
import { http } from "../support/oauth.ts";

/**
 * The limits of a run as a security reviewer attacked them: each script must end in the
 * script-error envelope naming which limit it hit (or its own answer), within a generous
 * multiple of the time limit, and the server must answer the next request.
 */
const timeoutMs = 1000;
const scripts = {
  "stack overflow caught and retried": "function f() { try { return f() } catch (e) { return f() } } return f()",
  "stack overflow caught and retried under a long name": "const name = 'x'.repeat(20000); const o = { [name]: function () { try { return o[name]() } catch (e) { return o[name]() } } }; return o[name]()",
  "data calls past the deadline": "const ps = []; for (let i = 0; i < 1000; i++) ps.push(table.insert('incident', { short_description: 'late call' })); while (true) {}",
  "reading too many records": "const ps = []; for (let i = 0; i < 1000; i++) ps.push(table.query('incident', '', 1000)); await Promise.all(ps); return 'done'",
  "reading too many records, errors caught": "for (let i = 0; i < 1000; i++) { try { await table.query('incident', '', 1000) } catch (e) {} } return 'done'",
  "stack overflow caught in String of a deep array": "let o = []; for (let i = 0; i < 100000; i++) o = [o]; try { String(o) } catch (e) {} return 'ok'",
  "stack overflow caught in JSON of a deep object": "let o = {}; for (let i = 0; i < 100000; i++) o = { a: o }; try { JSON.stringify(o) } catch (e) {} return 'ok'",
  "returning a deep array": "let o = []; for (let i = 0; i < 100000; i++) o = [o]; return o",
  "header values Node refuses": "const refused = []; for (const v of ['a\\u0001b', '\\u4e2d', '\\u2028', 'a\\nb', 'caf\\u00e9', 'x'.repeat(9000)]) { try { response.setHeader('X-A', v) } catch (e) { refused.push(e.message) } } try { response.setHeader('X A', 'b') } catch (e) { refused.push(e.message) } return refused",
  "a control character in a header, not caught": "response.setHeader('X-A', 'a\\u0001b'); return 1",
  "many small objects": "let a = []; for (;;) a.push({ x: a.length, y: [1, 2, 3] })",
  "a tight loop": "while (true) {}",
  "a quick answer": "return 'quick'",
};
type Name = keyof typeof scripts;
const names = Object.keys(scripts) as Name[];

for (const dialect of dialectsUnderTest()) {
  describe(`the limits of a script run on ${dialect.name}`, () => {
    let server: TestInstance;
    let ada: ApiUser;
    // Reading 10,000 records or filling the heap with small objects takes most of a second on a
    // loaded machine: a time limit of their own keeps those tests about records and memory.
    let roomy: TestInstance;
    let roomyAdmin: ApiUser;
    before(async () => {
      roomy = await startTestInstance(dialect, { scriptTimeoutMs: 30_000, scriptMemoryMb: 64 });
      roomyAdmin = await apiUser(roomy, "admin");
      await defineApi(roomy, roomyAdmin, "x_roomy", "t", [
        { name: "reads", http_method: "GET", relative_path: "/", operation_script: scripts["reading too many records"] },
        { name: "reads, caught", http_method: "GET", relative_path: "/caught", operation_script: scripts["reading too many records, errors caught"] },
        { name: "many small objects", http_method: "GET", relative_path: "/objects", operation_script: scripts["many small objects"] },
      ]);
      for (let i = 0; i < 120; i += 20) {
        const made = await Promise.all(Array.from({ length: 20 }, (_, j) => api(roomy, "POST", "/api/now/table/incident", { token: roomyAdmin.token, body: { short_description: `seed ${i + j}` } })));
        for (const res of made) assert.equal(res.status, 201, res.text);
      }
      server = await startTestInstance(dialect, { scriptTimeoutMs: timeoutMs, scriptMemoryMb: 32 });
      const admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      await defineApi(server, admin, "x_lim", "t", names.map((name, i) => ({ name, http_method: "GET", relative_path: `/s${i}`, operation_script: scripts[name] })));
      for (let i = 0; i < 20; i++) assert.equal((await api(server, "POST", "/api/now/table/incident", { token: ada.token, body: { short_description: `seed ${i}` } })).status, 201);
    });
    after(() => Promise.all([server.close(), roomy.close()]));

    const run = async (name: Name) => {
      const started = Date.now();
      const res = await api(server, "GET", `/api/x_lim/t/s${names.indexOf(name)}`, { token: ada.token });
      return { res, ms: Date.now() - started };
    };
    const failed = (res: Awaited<ReturnType<typeof run>>["res"], name: Name, detail: RegExp) => {
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.status, "failure", res.text);
      assert.match(res.body.error.message, new RegExp(`Script error in resource "${name}"`));
      assert.match(res.body.error.detail, detail);
    };
    const stillServing = async () => {
      assert.equal((await http(`${server.base}/health`)).status, 200);
      assert.equal((await api(server, "GET", "/api/now/table/incident?sysparm_limit=1", { token: ada.token })).status, 200);
    };

    for (const name of ["stack overflow caught and retried", "stack overflow caught and retried under a long name"] as const) {
      test(`${name}: stopped at the time limit, not minutes later`, async () => {
        const { res, ms } = await run(name);
        failed(res, name, /time limit/);
        assert.ok(ms < 10 * timeoutMs, `took ${ms} ms`);
        await stillServing();
      });
    }

    test("data calls not started by the deadline never start: the run ends at it", async () => {
      const { res, ms } = await run("data calls past the deadline");
      failed(res, "data calls past the deadline", /time limit/);
      assert.ok(ms < 10 * timeoutMs, `took ${ms} ms`);
      const late = await api(server, "GET", "/api/now/table/incident?sysparm_query=short_description=late call&sysparm_fields=sys_id", { token: ada.token });
      assert.ok(late.body.result.length <= 4, `${late.body.result.length} calls ran, at most 4 may be in flight`);
      await stillServing();
    });

    test("a script running to its time limit holds neither the server nor other scripts", async () => {
      const finished: string[] = [];
      const runaway = run("a tight loop").then(({ res }) => {
        finished.push("runaway");
        failed(res, "a tight loop", /time limit/);
      });
      await new Promise((resolve) => setTimeout(resolve, timeoutMs / 5));
      const others = [
        http(`${server.base}/health`).then((res) => assert.equal(res.status, 200)),
        api(server, "GET", "/api/now/table/incident?sysparm_limit=1", { token: ada.token }).then((res) => assert.equal(res.status, 200, res.text)),
        run("a quick answer").then(({ res }) => assert.deepEqual(res.body, { result: "quick" })),
      ].map((p, i) => p.then(() => finished.push(`other ${i}`)));
      await Promise.all([runaway, ...others]);
      assert.equal(finished.length, 4);
      assert.equal(finished.at(-1), "runaway", `answered in the order ${finished.join(", ")}`);
    });

    test("a run reads at most 10000 records, whether or not it catches the refusal", async () => {
      for (const [path, name] of [["", "reads"], ["/caught", "reads, caught"]]) {
        const res = await api(roomy, "GET", `/api/x_roomy/t${path}`, { token: roomyAdmin.token });
        assert.equal(res.status, 500, res.text);
        assert.match(res.body.error.message, new RegExp(`Script error in resource "${name}"`));
        assert.equal(res.body.error.detail, "the script read more records than its limit");
      }
    });

    for (const name of ["stack overflow caught in String of a deep array", "stack overflow caught in JSON of a deep object", "returning a deep array"] as const) {
      test(`${name}: the script's answer or the envelope, never a bare 500`, async () => {
        const { res } = await run(name);
        if (res.status === 200) assert.deepEqual(res.body, { result: "ok" });
        else failed(res, name, /threw|engine failed/);
        await stillServing();
      });
    }

    test("setHeader refuses, catchably, what Node would refuse to send; uncaught it is the envelope", async () => {
      const { res } = await run("header values Node refuses");
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get("x-a"), null);
      // Non-ASCII would go out as UTF-8 bytes a client reads as Latin-1; 9000 characters overflow what clients accept.
      assert.equal(res.body.result.length, 7);
      for (const message of res.body.result.slice(0, 6)) assert.match(message, /response\.setHeader: the value may hold only/);
      assert.match(res.body.result[6], /the name must be an HTTP token/);
      failed((await run("a control character in a header, not caught")).res, "a control character in a header, not caught", /threw/);
    });

    test("running out of memory with many small objects says so", async () => {
      const res = await api(roomy, "GET", "/api/x_roomy/t/objects", { token: roomyAdmin.token });
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.detail, "the script ran out of memory");
      await stillServing();
    });
  });
}
